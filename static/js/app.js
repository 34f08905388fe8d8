// Small behaviours shared by all pages (no inline scripts: our CSP forbids them).
(function () {
  "use strict";
  // <button data-confirm="..."> asks before submitting its form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  }, true);
})();
