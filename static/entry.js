// The run form's unit picker (issue #16 item 1). The unit select lists
// every registered unit grouped by handset; this script shows only the
// chosen handset's group, clears a unit of another handset, and points
// "Register a unit" at the chosen handset's form. Without it the form
// still works: every unit is listed and a wrong pair is refused beside
// the field, as the API refuses it.
"use strict";
(function () {
  var handset = document.getElementById("f-handset");
  var unit = document.getElementById("f-unit");
  if (!handset || !unit) return;
  var link = document.querySelector("#f-unit-hint a");

  function sync() {
    var code = handset.value;
    var groups = unit.querySelectorAll("optgroup[data-group]");
    for (var i = 0; i < groups.length; i++) {
      var mine = groups[i].getAttribute("data-group") === code;
      groups[i].hidden = !mine;
      groups[i].disabled = !mine;
    }
    var chosen = unit.options[unit.selectedIndex];
    if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) {
      unit.value = "";
    }
    if (link) {
      var kind = (/[?&]kind=([a-z]+)/.exec(unit.form.getAttribute("action")) || [])[1] || "";
      link.href = code
        ? "/handsets/" + encodeURIComponent(code) + "/units/new?next=" +
          encodeURIComponent("/runs/new?kind=" + kind + "&handset=" + encodeURIComponent(code))
        : "/imports/new?kind=units";
    }
  }

  handset.addEventListener("change", sync);
  sync();
})();
