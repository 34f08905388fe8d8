// Clocks that every screen computes from the same server times.
//
// <span data-clock="countdown|elapsed" data-start=ms data-frozen=s data-limit=s data-planned=s>
// A running clock has data-start (server epoch ms when it effectively began);
// a stopped one shows data-frozen seconds. The offset between this device's
// clock and the server's comes from the "now" of every live message, so a
// phone whose clock is wrong by minutes still shows the same seconds.
(function () {
  "use strict";
  var offset = 0;  // server clock minus this device's clock, in ms
  var initial = Number(document.body.getAttribute("data-server-now"));
  if (initial) offset = initial - Date.now();

  function format(total) {
    var sign = total < 0 ? "-" : "";
    total = Math.abs(total);
    var m = Math.floor(total / 60), s = total % 60;
    return sign + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var now = Date.now() + offset;
    var clocks = document.querySelectorAll("[data-clock]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var start = el.getAttribute("data-start");
      var elapsed = start ? Math.floor((now - Number(start)) / 1000) : Number(el.getAttribute("data-frozen")) || 0;
      var shown, warn = false, over = false;
      if (el.getAttribute("data-clock") === "countdown") {
        var remaining = Number(el.getAttribute("data-limit")) - elapsed;
        over = remaining < 0;
        warn = !over && remaining <= 30;
        shown = over ? "+" + format(-remaining) : format(remaining);
      } else {
        var planned = Number(el.getAttribute("data-planned")) || 0;
        over = planned > 0 && elapsed > planned;
        shown = format(Math.max(0, elapsed));
      }
      el.classList.toggle("warn", warn);
      el.classList.toggle("over", over);
      el.classList.toggle("running", !!start);
      // "+10:05" is wider than "1:59": the projector sets it smaller to stay in its box.
      el.classList.toggle("long", shown.length > 5);
      var text = el.querySelector(".clock-text");
      if (text && text.textContent !== shown) text.textContent = shown;
    }
  }

  window.yishiClock = {
    serverNow: function (ms) { if (ms) offset = ms - Date.now(); },
    tick: tick
  };
  document.addEventListener("yishi:panels", tick);
  tick();
  setInterval(tick, 250);
})();
