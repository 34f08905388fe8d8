// Form fields that only some choices use (a poll's scope or kind, a ballot's
// channel). An element with data-show-when="name=a,b" shows only while the
// form's field `name` holds a or b; while hidden its inputs are disabled, so
// what they held is not sent. Without this script every field shows and the
// server ignores what the choices made do not use.
(function () {
  "use strict";

  function condition(node) {
    var text = node.getAttribute("data-show-when") || "";
    var at = text.indexOf("=");
    return { name: text.slice(0, at), values: text.slice(at + 1).split(",") };
  }

  function update(form) {
    var nodes = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < nodes.length; i++) {
      var want = condition(nodes[i]);
      var field = form.elements[want.name];
      // A select, or a group of radio buttons (RadioNodeList): both have .value.
      var show = !field || want.values.indexOf(field.value) >= 0;
      nodes[i].hidden = !show;
      var controls = nodes[i].querySelectorAll("input, select, textarea");
      for (var j = 0; j < controls.length; j++) controls[j].disabled = !show;
    }
  }

  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    if (!forms[i].querySelector("[data-show-when]")) continue;
    (function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    })(forms[i]);
  }
})();
