// Keep the block under debate in view on the projector and phones: after a
// push replaces the proposal panel, and once when the page loads.
(function () {
  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function reveal() {
    var panel = document.getElementById("panel-proposal");
    if (!panel) return;
    var target = panel.querySelector(".block-amendment, .block.focus");
    if (!target) return;
    var box = panel.querySelector(".proposal-text");
    if (document.body.classList.contains("projector") && box) {
      var offset = target.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop = Math.max(0, box.scrollTop + offset - box.clientHeight / 3);
    } else if (document.body.classList.contains("phone") && inView(panel)) {
      // Only for a resident already reading the text: a phone scrolled to
      // the poll or to the end of the meeting is not pulled back into it.
      target.scrollIntoView({ block: "nearest" });
    }
  }
  document.addEventListener("yishi:panels", function (event) {
    if (event.detail.names.indexOf("proposal") !== -1) reveal();
  });
  document.addEventListener("DOMContentLoaded", reveal);
  // The projector just showed the text (static/js/projector.js).
  document.addEventListener("yishi:screen", reveal);
})();
