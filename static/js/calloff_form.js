// Notfall-Abruf: progressive enhancement only; the form works without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("calloff-form");
  if (!form) { return; }
  // Priority P2/P3 only matters when operations are not halted.
  var halted = form.querySelectorAll('input[name="operations_halted"]');
  var priority = form.querySelector('input[name="priority"]');
  var priorityGroup = priority ? priority.closest("fieldset") : null;
  function sync() {
    if (!priorityGroup) { return; }
    var checked = form.querySelector('input[name="operations_halted"]:checked');
    priorityGroup.hidden = checked ? checked.value === "yes" : false;
  }
  halted.forEach(function (input) { input.addEventListener("change", sync); });
  sync();
  // A double click sends one request; the server also files only once per form token.
  form.addEventListener("submit", function () {
    var button = form.querySelector("[data-submit-once]");
    if (button) {
      window.setTimeout(function () { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
    }
  });
})();
// The hotline box is folded on a phone (the form starts on the first screen) and open on wide screens.
(function () {
  "use strict";
  var box = document.querySelector("details[data-open-wide]");
  if (box && window.matchMedia && window.matchMedia("(min-width: 48em)").matches) { box.open = true; }
})();
// "Seit wann?": show the time field of the chosen answer, and the clocks counted from that moment.
(function () {
  "use strict";
  var form = document.getElementById("calloff-form");
  if (!form) { return; }
  var aware = form.querySelectorAll('input[name="aware"]');
  var whens = form.querySelectorAll("[data-aware-for]");
  var clocks = form.querySelectorAll("[data-clock-seconds]");
  var basis = form.querySelector("[data-clocks-basis]");
  var formatter = window.Intl ? new Intl.DateTimeFormat(document.documentElement.lang || "de", {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"
  }) : null;
  function chosen() {
    var checked = form.querySelector('input[name="aware"]:checked');
    return checked ? checked.value : "";
  }
  function start() {
    var value = chosen();
    if (value === "today") {
      var time = form.querySelector('input[name="aware_time"]').value;
      if (!time) { return null; }
      var parts = time.split(":");
      var today = new Date();
      today.setHours(parseInt(parts[0], 10), parseInt(parts[1], 10), 0, 0);
      return today;
    }
    if (value === "earlier") {
      var at = form.querySelector('input[name="detected_at"]').value;
      return at ? new Date(at) : null;
    }
    return new Date();
  }
  function sync() {
    var value = chosen();
    // Each answer shows its own time field; before any answer none (without JavaScript both show).
    whens.forEach(function (when) { when.hidden = when.getAttribute("data-aware-for") !== value; });
    var from = start();
    if (!from || isNaN(from.getTime()) || !formatter) { return; }
    clocks.forEach(function (item) {
      var due = new Date(from.getTime() + 1000 * parseInt(item.getAttribute("data-clock-seconds"), 10));
      var time = item.querySelector("time");
      time.setAttribute("datetime", due.toISOString());
      time.textContent = formatter.format(due);
    });
    if (basis) { basis.hidden = value === "today" || value === "earlier"; }
  }
  aware.forEach(function (input) { input.addEventListener("change", sync); });
  ["aware_time", "detected_at"].forEach(function (name) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (input) { input.addEventListener("input", sync); }
  });
  sync();
})();
