// The facilitator's console: keyboard shortcuts and forms that stay on the page.
(function () {
  "use strict";
  // N next speaker, Space pause/resume, I next item: each clicks the button
  // that carries data-shortcut, so a shortcut does exactly what the button does.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    var key = event.key === " " ? " " : event.key.toLowerCase();
    // Space on a focused button presses that button, as it does everywhere else.
    if (key === " " && target.closest("button, summary, [role=button]")) return;
    var button = document.querySelector('[data-shortcut="' + (key === " " ? " " : key) + '"]');
    if (!button || button.disabled) return;
    if (getComputedStyle(button).display === "none") return;
    event.preventDefault();
    button.click();
  });

  // Forms outside the live panels: clear them once their action succeeded.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-reset-on]");
    if (form && event.detail.successful && event.detail.xhr.status === 204) {
      form.reset();
      var first = form.querySelector("input[type=text]");
      if (first) first.focus();
      // Say so: the form empties, and the item appears in a panel above.
      var note = form.querySelector(".saved-note");
      if (note) {
        note.textContent = note.getAttribute("data-saved-text") || "";
        clearTimeout(note.clearTimer);
        note.clearTimer = setTimeout(function () { note.textContent = ""; }, 4000);
      }
      var flash = document.getElementById("flash");
      if (flash) flash.innerHTML = "";
    }
  });
})();
