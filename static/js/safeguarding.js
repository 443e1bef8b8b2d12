// Safeguarding forms: show "what to do now" the moment someone answers that a
// person may be at risk, and the referral details only for a referral. Without
// JavaScript everything simply stays visible.
(function () {
  "use strict";

  function checkedValue(name) {
    var checked = document.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function update() {
    var harm = checkedValue("serious_harm");
    document.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.dataset.showFor.split(" ").indexOf(harm) === -1;
    });
    var decision = checkedValue("decision");
    document.querySelectorAll("[data-show-for-decision]").forEach(function (el) {
      el.hidden = el.dataset.showForDecision !== decision;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "serious_harm" || event.target.name === "decision") {
      update();
      if (event.target.name === "serious_harm" && event.target.value === "yes") {
        var panel = document.getElementById("what-now");
        if (panel) panel.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
