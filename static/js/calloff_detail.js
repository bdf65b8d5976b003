// Keeps the status part of a call-off page current without a reload (polling; works without JS too).
(function () {
  "use strict";
  var box = document.getElementById("calloff-live");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-live-url");
  var last = box.getAttribute("data-updated");
  var delay = 4000;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        var stamp = response.headers.get("X-Calloff-Updated");
        return response.text().then(function (html) {
          if (stamp !== last) {
            box.innerHTML = html;
            last = stamp;
            // Others on the page (the documents part) may have news too, e.g. the order after an accept.
            document.dispatchEvent(new CustomEvent("calloff:updated"));
          }
          delay = 4000;
        });
      })
      .catch(function () { delay = Math.min(delay * 2, 60000); })
      .then(function () { window.setTimeout(poll, document.hidden ? 15000 : delay); });
  }
  window.setTimeout(poll, delay);
})();
