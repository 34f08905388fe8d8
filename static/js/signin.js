// The sign-in page (签到) follows the room. It listens to the meeting's live
// pushes (live.js, the facilitator's audience); when attendance changes
// anywhere (a household joins by phone, a colleague signs one in or undoes
// it) it asks the server for its own list again (the search typed, the
// counts, the record) and redraws it. A row whose state did not change is
// kept as it is, with the message staff just got on it.
(function () {
  "use strict";
  var results = document.getElementById("signin-results");
  if (!results) return;
  var shownRev = Number(results.getAttribute("data-rev")) || 0;
  var busy = false;
  var again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var input = document.getElementById("signin-q");
    var url = results.getAttribute("data-refresh-url") + "?q=" + encodeURIComponent(input ? input.value : "");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true", "HX-Target": "signin-results" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(redraw)
      .catch(function () { /* the next change, or a reload, brings the list */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function redraw(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var fresh = holder.content;
    ["signin-counts", "signin-log"].forEach(function (id) {
      var part = fresh.querySelector("#" + id);
      var current = document.getElementById(id);
      if (!part) return;
      part.parentNode.removeChild(part);
      part.removeAttribute("hx-swap-oob");
      if (current) current.replaceWith(part);
    });
    var rows = fresh.querySelectorAll("li.signin-row");
    for (var i = 0; i < rows.length; i++) {
      var current = document.getElementById(rows[i].id);
      if (current && current.className === rows[i].className) rows[i].replaceWith(current);
    }
    results.replaceChildren(fresh);
    if (window.htmx) window.htmx.process(results);
  }

  // A name typed before htmx started (a slow phone, a fast hand) fired no
  // search; htmx has processed the page by the time this runs, so ask now.
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("signin-q");
    if (input && window.htmx && input.value !== input.defaultValue) {
      window.htmx.trigger(input.form, "submit");
    }
  });

  document.addEventListener("yishi:panels", function (event) {
    var detail = event.detail || {};
    if ((detail.names || []).indexOf("attendance") < 0) return;
    var rev = Number(detail.rev) || 0;
    if (rev <= shownRev) return;
    shownRev = rev;
    refresh();
  });
})();
