// The situation picture's map: shows the name and count of the district under the pointer or with the
// keyboard focus below the map. Without JavaScript the browser's tooltip (<title>) and the table say the same.
(function () {
  "use strict";
  var map = document.querySelector(".ds-map");
  var box = document.getElementById("map-focus");
  if (!map || !box) { return; }
  function show(event) {
    var area = event.target.closest ? event.target.closest("[data-name]") : null;
    if (!area) { return; }
    box.textContent = area.getAttribute("data-name");
    box.hidden = false;
  }
  map.addEventListener("mouseover", show);
  map.addEventListener("focusin", show);
})();
