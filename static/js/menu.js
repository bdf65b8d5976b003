/* The header menu on a phone: the navigation and the language switch fold behind the "Menü" button.
   Without this script the button stays hidden and the menu open (nothing is lost). On a wide screen the
   menu is always shown and the button hidden by CSS. Keyboard: the button is a real <button>
   (Enter/Space); Escape closes the open menu and returns the focus to the button. */
(function () {
  "use strict";
  var button = document.querySelector(".ds-menu-toggle");
  var menu = document.getElementById("ds-menu");
  if (!button || !menu) {
    return;
  }
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.setAttribute("data-open", open ? "true" : "false");
  }
  button.hidden = false;
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
