// Signposting: narrow the long list of services as you type. Without it, the
// whole list is still there to tick.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("sp-filter")) return;
    var list = document.querySelector(input.dataset.filter);
    if (!list) return;
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    list.querySelectorAll(".sp-choice").forEach(function (row) {
      var text = fold(row.textContent);
      var ticked = row.querySelector("input:checked");
      row.hidden = !ticked && !words.every(function (w) { return text.indexOf(w) !== -1; });
    });
  });
})();
