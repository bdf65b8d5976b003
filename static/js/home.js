// Counts the answer and SLA deadlines on the home page down every second. Without JavaScript the page
// shows the deadline and the time left when it was loaded (templates/includes/countdown.html).
(function () {
  "use strict";
  var clocks = document.querySelectorAll(".ds-countdown[data-deadline]");
  if (!clocks.length) { return; }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function left(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + ":" + two(m) + ":" + two(s % 60) + " h" : m + ":" + two(s % 60) + " min";
  }
  function tick() {
    var now = Date.now();
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i], due = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(due)) { continue; }
      if (due <= now) {
        el.textContent = "(" + el.getAttribute("data-text-over") + ")";
        el.classList.add("ds-countdown--over");
      } else {
        el.textContent = "(" + el.getAttribute("data-text-left").replace("{}", left(due - now)) + ")";
      }
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();
