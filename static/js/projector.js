// The projector lays itself out by what it shows (meetings/screen.py): the
// screen panel's data-screen and data-beside are copied onto <body>, which
// projector.css reads, whenever panels arrive (a push, a resync). The page
// is served with them already set; this keeps them current.
(function () {
  "use strict";
  var KEYS = ["screen", "beside"];

  function follow() {
    var panel = document.getElementById("panel-screen");
    if (!panel) return;
    var changed = false;
    KEYS.forEach(function (key) {
      var value = panel.getAttribute("data-" + key) || "";
      if (document.body.getAttribute("data-" + key) !== value) {
        document.body.setAttribute("data-" + key, value);
        changed = true;
      }
    });
    // A panel just shown (the text, say) scrolls to what it keeps in view.
    if (changed) document.dispatchEvent(new CustomEvent("yishi:screen"));
  }

  document.addEventListener("yishi:panels", follow);
  follow();
})();
