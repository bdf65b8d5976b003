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
