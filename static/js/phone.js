// A resident's phone: the panels are the same for every phone; this page
// knows its own household (body data-household) and marks what is its own:
// its place in the queue, "you have the floor", and its own amendments and
// micro-project (elements with data-owner).
(function () {
  "use strict";
  var me = document.body.getAttribute("data-household");
  var hadFloor = false;

  function mark() {
    var speaker = document.getElementById("panel-speaker");
    var hasFloor = !!(speaker && me && speaker.getAttribute("data-speaker-household") === me);
    document.body.classList.toggle("has-floor", hasFloor);
    if (hasFloor && !hadFloor && navigator.vibrate) navigator.vibrate([200, 100, 200]);
    hadFloor = hasFloor;

    var entries = document.querySelectorAll("#panel-queue .queue-list li[data-household]");
    var place = 0;
    for (var i = 0; i < entries.length; i++) {
      var mine = entries[i].getAttribute("data-household") === me;
      entries[i].classList.toggle("mine", mine);
      if (mine) place = i + 1;
    }
    document.body.classList.toggle("in-queue", place > 0);

    // What is this household's own elsewhere (its amendments, its
    // micro-project): controls only its owner may use.
    var owned = document.querySelectorAll("[data-owner]");
    for (var j = 0; j < owned.length; j++) {
      owned[j].classList.toggle("mine", !!me && owned[j].getAttribute("data-owner") === me);
    }
    var backed = document.querySelectorAll("[data-seconders]");
    for (var k = 0; k < backed.length; k++) {
      var seconders = backed[k].getAttribute("data-seconders").split(" ");
      backed[k].classList.toggle("seconded", !!me && seconders.indexOf(me) !== -1);
    }
    var label = document.querySelector("#panel-queue .my-place");
    if (label) label.textContent = place ? label.getAttribute("data-label").replace("%(n)s", place) : "";
  }

  // Clear an old error once the screen changes.
  document.addEventListener("yishi:panels", mark);
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.detail.xhr.status === 204) {
      var flash = document.getElementById("flash");
      if (flash) flash.innerHTML = "";
    }
  });
  mark();
})();
