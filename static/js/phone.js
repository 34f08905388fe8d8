// A resident's phone: the panels are the same for every phone; this page
// knows its own household (body data-household) and marks what is its own:
// its place in the queue, "you have the floor", how often it has spoken on
// the item (and so whether it may still speak for or against), and its own
// amendments and micro-project (elements with data-owner).
//
// It also keeps the page whole: no answer to a tap ever replaces the page,
// a refusal or a failure is said in the flash area, and a message about an
// earlier state goes once the meeting has moved on.
(function () {
  "use strict";
  var body = document.body;
  var me = body.getAttribute("data-household");
  var hadFloor = false;
  var shownState = null;
  var shownNews = null;

  function text(name) { return body.getAttribute("data-text-" + name) || ""; }

  function flash() { return document.getElementById("flash"); }

  function clearFlash() {
    var area = flash();
    if (area) area.innerHTML = "";
  }

  // A message in the flash area, with a button to reload the page.
  function say(message) {
    var area = flash();
    if (!area || !message) return;
    var line = document.createElement("p");
    line.className = "flash error";
    line.setAttribute("role", "alert");
    line.appendChild(document.createTextNode(message + " "));
    var reload = document.createElement("button");
    reload.type = "button";
    reload.className = "reload";
    reload.textContent = text("reload");
    reload.addEventListener("click", function () { location.reload(); });
    line.appendChild(reload);
    area.innerHTML = "";
    area.appendChild(line);
  }

  // The place in the queue, the floor, and what is this household's own.
  function markMine() {
    var speaker = document.getElementById("panel-speaker");
    var hasFloor = !!(speaker && me && speaker.getAttribute("data-speaker-household") === me);
    body.classList.toggle("has-floor", hasFloor);
    if (hasFloor && !hadFloor && navigator.vibrate) navigator.vibrate([200, 100, 200]);
    hadFloor = hasFloor;

    var entries = document.querySelectorAll("#panel-queue .queue-list li[data-household]");
    var place = 0;
    for (var i = 0; i < entries.length; i++) {
      var mine = entries[i].getAttribute("data-household") === me;
      entries[i].classList.toggle("mine", mine);
      if (mine) place = i + 1;
    }
    body.classList.toggle("in-queue", place > 0);
    var label = document.querySelector("#panel-queue .my-place");
    if (label) label.textContent = place ? label.getAttribute("data-label").replace("%(n)s", place) : "";

    var owned = document.querySelectorAll("[data-owner]");
    for (var j = 0; j < owned.length; j++) {
      owned[j].classList.toggle("mine", !!me && owned[j].getAttribute("data-owner") === me);
    }
    var backed = document.querySelectorAll("[data-seconders]");
    for (var k = 0; k < backed.length; k++) {
      var seconders = backed[k].getAttribute("data-seconders").split(" ");
      backed[k].classList.toggle("seconded", !!me && seconders.indexOf(me) !== -1);
    }
  }

  // This household's for/against speeches on the current item: the queue
  // panel lists "seat:count" for every household that spoke (data-spoken);
  // at the limit (data-limit) the for and against buttons are disabled, with
  // the reason beside them. Questions and points of order have no limit.
  function markSpoken() {
    var controls = document.querySelector("#panel-queue .floor-controls.open");
    if (!controls) return;
    var limit = Number(controls.getAttribute("data-limit")) || 0;
    var marks = (controls.getAttribute("data-spoken") || "").split(" ");
    var spoken = 0;
    for (var i = 0; i < marks.length; i++) {
      var pair = marks[i].split(":");
      if (me && pair[0] === me) spoken = Number(pair[1]) || 0;
    }
    var atLimit = limit > 0 && spoken >= limit;
    var count = controls.querySelector(".my-spoken");
    if (count) {
      count.hidden = !spoken;
      count.textContent = count.getAttribute("data-label").replace("%(n)s", spoken).replace("%(limit)s", limit);
    }
    var reason = controls.querySelector(".limit-reached");
    if (reason) reason.hidden = !atLimit;
    var limited = controls.querySelectorAll(".stance-button[data-limited]");
    for (var j = 0; j < limited.length; j++) {
      limited[j].disabled = atLimit;
      if (atLimit) limited[j].setAttribute("aria-describedby", "floor-limit");
      else limited[j].removeAttribute("aria-describedby");
    }
  }

  // A panel with nothing in it for phones (no poll, no item yet) is not
  // shown as an empty card.
  function hideBlank() {
    var panels = document.querySelectorAll(".phone-stack > .panel");
    for (var i = 0; i < panels.length; i++) {
      var blank = !panels[i].textContent.trim() && !panels[i].querySelector("img, svg, button, input");
      panels[i].classList.toggle("blank", blank);
    }
  }

  // Where the meeting stands: its status, the item, the poll and its state.
  // When that changes, a message about the earlier state ("you have spoken
  // twice", "voting has closed") no longer applies and goes.
  function markState() {
    var status = document.getElementById("panel-status");
    var match = status && /\bstatus-(\w+)/.exec(status.className);
    var meeting = match ? match[1] : "";
    body.setAttribute("data-meeting", meeting);
    var controls = document.querySelector("#panel-queue .floor-controls");
    var poll = document.getElementById("panel-poll");
    var state = [
      meeting,
      controls ? controls.getAttribute("data-item") : "",
      poll ? poll.getAttribute("data-poll") : "",
      poll ? poll.getAttribute("data-poll-status") : ""
    ].join("|");
    if (shownState !== null && state !== shownState) {
      clearFlash();
      // A message from the page load ("amendment submitted") is as old.
      var said = document.querySelectorAll("ul.messages");
      for (var m = 0; m < said.length; m++) said[m].remove();
    }
    // What the resident must see or act on now is at the top of the page:
    // a poll that opens, a result that is revealed, the end of the meeting.
    // A phone scrolled down into the text under debate is brought up to it.
    var news = [meeting === "closed" ? "closed" : "", poll && poll.classList.contains("active") ? state : ""].join("|");
    if (shownNews !== null && news !== shownNews && news !== "|") {
      window.scrollTo({ top: 0, behavior: "smooth" });
      if (navigator.vibrate) navigator.vibrate(150);
    }
    shownNews = news;
    shownState = state;
  }

  function mark() {
    markState();
    markMine();
    markSpoken();
    hideBlank();
  }

  // --- Answers to taps -------------------------------------------------------

  // An error status is never shown as the page: django-htmx's debug helper
  // (under DEBUG, listening on the document) would put the bare answer in
  // the page's place. Stopped here, on the way up; htmx itself goes on (an
  // HX-Refresh reloads the page; anything else is said in the flash area).
  body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400) event.stopPropagation();
  });
  // An answer that arrived through a redirect is another page, not a piece
  // of this one: go there instead of swapping it in.
  body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var asked = event.detail.requestConfig && event.detail.requestConfig.path;
    if (!xhr || !xhr.responseURL || !asked) return;
    var got = new URL(xhr.responseURL, location.href);
    var wanted = new URL(asked, location.href);
    if (got.pathname !== wanted.pathname) {
      event.detail.shouldSwap = false;
      location.assign(got.href);
    }
  });
  body.addEventListener("htmx:responseError", function () { say(text("failed")); });
  // No answer at all: votes are sent again by vote.js; anything else is said.
  body.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("vote-button")) return;
    say(text("offline"));
  });
  // A tap that went through: an old refusal no longer applies. Either way
  // the controls are marked again from the panels as they are.
  body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.detail.xhr.status === 204) clearFlash();
    mark();
  });

  // A tap on a message puts it away (its reload button reloads).
  var area = flash();
  if (area) area.addEventListener("click", function (event) {
    if (!event.target.closest(".reload")) clearFlash();
  });

  document.addEventListener("yishi:panels", mark);
  mark();
})();
