// Voting from a phone. A vote is an HTTP POST carrying an idempotency key:
// the key changes only after the server answered, so a retry after a
// network error can never count twice, and "recorded" is shown only from
// the server's answer, after its commit.
(function () {
  "use strict";
  var keyInput = document.getElementById("vote-key");
  var retries = 0;
  var mineAskedAt = 0;  // when this page last asked for its line
  var votedAt = 0;      // when this page last sent a vote
  var refreshFor = "";  // the poll state this page last fetched its line again for

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // works on plain-HTTP LAN addresses too
    keyInput.value = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // This household's line: data-poll and data-choice of what the server recorded.
  function mine() { return document.querySelector("#my-vote .my-vote-line") || document.getElementById("my-vote"); }

  // Ask the server for this household's line of the poll shown.
  function fetchMine() {
    var panel = document.getElementById("panel-poll");
    var form = panel && panel.querySelector("[data-vote-url]");
    if (!form || !window.htmx) return;
    mineAskedAt = Date.now();
    window.htmx.ajax("GET", form.getAttribute("data-vote-url") + "mine/", { target: "#my-vote", swap: "innerHTML" });
  }

  // The buttons come disabled (a tap before this script could send its
  // idempotency key would be lost, or sent without it): enabled here, once a
  // key is set, except while a vote is on its way (htmx disables them then).
  function enable() {
    if (!keyInput || !keyInput.value || !window.htmx) return;
    var panel = document.getElementById("panel-poll");
    if (!panel || panel.querySelector(".vote-button.htmx-request")) return;
    var buttons = panel.querySelectorAll(".vote-button[disabled]");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
  }

  // The receipt code comes once, in the answer that recorded the vote (the
  // server keeps only its hash): kept on this phone by poll, with the
  // receipt's id, and shown again while that receipt is the current one.
  function keepReceipt() {
    var line = mine();
    var receipt = line && line.querySelector ? line.querySelector(".receipt[data-receipt]") : null;
    if (!receipt) return;
    var store = "yishi:receipt:" + line.getAttribute("data-poll");
    var id = receipt.getAttribute("data-receipt");
    var code = receipt.getAttribute("data-code");
    try {
      if (code) { window.localStorage.setItem(store, id + " " + code); return; }
      var kept = (window.localStorage.getItem(store) || "").split(" ");
      if (kept[0] !== id || !kept[1]) return;
      receipt.querySelector(".receipt-code").textContent = kept[1];
      var unknown = receipt.querySelector(".receipt-unknown");
      if (unknown) unknown.hidden = true;
    } catch (e) { /* no storage (a private window): the code was shown once */ }
  }

  // Mark the chosen button; when another poll shows, the old poll's line
  // goes at once (it must never read as a vote in the new poll), and this
  // household's line of the new poll is fetched.
  function sync() {
    enable();
    keepReceipt();
    budgetTotal();
    var panel = document.getElementById("panel-poll");
    var line = mine();
    if (!panel || !line) return;
    var poll = panel.getAttribute("data-poll");
    if (poll && poll !== line.getAttribute("data-poll")) {
      var holder = document.getElementById("my-vote");
      if (holder) { holder.innerHTML = ""; holder.setAttribute("data-poll", poll); }
      fetchMine();
      return;
    }
    // A participatory budget's result tells each household what its share
    // paid for: its line is fetched again once the result is shown, spread
    // over a few seconds so that a room's phones do not all ask at once.
    var state = panel.getAttribute("data-mine-state") || "";
    if (window.htmx && line.hasAttribute("data-mine-state") && state !== line.getAttribute("data-mine-state") && state !== refreshFor) {
      refreshFor = state;
      var src = line.getAttribute("data-src");
      setTimeout(function () {
        mineAskedAt = Date.now();
        window.htmx.ajax("GET", src, { target: "#my-vote", swap: "innerHTML" });
      }, Math.random() * 3000);
    }
    var chosen = (line.getAttribute("data-choice") || "").split(",");
    var all = panel.querySelectorAll(".vote-button[value]");
    for (var i = 0; i < all.length; i++) all[i].classList.toggle("chosen", chosen.indexOf(all[i].value) >= 0);
    // Approval: mark the recorded options (the boxes stay as the resident left them).
    var boxes = panel.querySelectorAll(".vote-options input[type=checkbox]");
    for (var j = 0; j < boxes.length; j++) boxes[j].parentNode.classList.toggle("chosen", chosen.indexOf(boxes[j].value) >= 0);
  }

  // A participatory budget: the running total of the projects ticked, in
  // fen (whole numbers: no binary fractions of a yuan), as ¥12,345.60.
  function fen(text) {
    var parts = String(text || "0").split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function money(cents) {
    var yuan = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = cents % 100;
    return "¥" + yuan + (rest ? "." + ("0" + rest).slice(-2) : "");
  }
  function budgetTotal() {
    var form = document.querySelector("#panel-poll .budget-ballot");
    if (!form) return;
    var total = 0;
    var boxes = form.querySelectorAll("input[type=checkbox][data-cost]");
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) total += fen(boxes[i].getAttribute("data-cost"));
    var line = form.querySelector(".budget-total");
    line.querySelector(".budget-total-amount").textContent = money(total);
    line.hidden = false;
  }
  document.body.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest(".budget-ballot")) budgetTotal();
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.classList && event.detail.elt.classList.contains("vote-button")) votedAt = Date.now();
  });
  // A line asked for before a vote was sent is older than the vote's answer.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var path = event.detail.requestConfig && event.detail.requestConfig.path;
    if (path && /\/mine\/$/.test(path) && mineAskedAt < votedAt) event.detail.shouldSwap = false;
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.classList || !elt.classList.contains("vote-button")) return;
    if (event.detail.xhr && event.detail.xhr.status) {
      retries = 0;
      newKey();  // answered: the next tap is a new request
    }
  });
  // No answer at all (network down, server restarting): the same request
  // again, same key, with a backoff.
  document.body.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (!elt.classList || !elt.classList.contains("vote-button") || retries >= 6) return;
    var line = mine();
    if (line) line.setAttribute("data-sending", "1");
    var delay = Math.min(8000, 500 * Math.pow(2, retries++));
    setTimeout(function () { if (document.body.contains(elt)) elt.click(); }, delay);
  });
  document.addEventListener("yishi:panels", sync);
  document.addEventListener("yishi:mine", fetchMine);
  document.body.addEventListener("htmx:afterSettle", sync);
  newKey();
  sync();
})();
