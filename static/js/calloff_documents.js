// While a document of the call-off is being made, refresh the documents part every few seconds
// (works without JS too: the page then shows the state as of loading).
(function () {
  "use strict";
  var box = document.getElementById("calloff-documents");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var tries = 0;
  function busy() { return !!box.querySelector("[data-busy='1']"); }
  function refresh() {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) { box.innerHTML = html; });
  }
  function poll() {
    if (!busy() || tries > 100) { return; }
    tries += 1;
    refresh()
      .catch(function () { tries += 10; })
      .then(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 3000);
  // When the call-off changes (calloff_detail.js), look once: after an accept the order is on its way.
  document.addEventListener("calloff:updated", function () {
    var polling = busy();
    refresh()
      .then(function () {
        tries = 0;
        if (!polling) { window.setTimeout(poll, 3000); }
      })
      .catch(function () { return null; });
  });
})();
