// Signposting: narrow the long list of services as you type. Without it, the
// whole list is still there to tick.
(function () {
  "use strict";
  // As peerspace/text.py folds names: accents and Arabic vowel marks off,
  // direction marks and tatweel gone, and letters an Arabic and an Urdu
  // keyboard write differently made one.
  var VARIANTS = { "ی": "ي", "ى": "ي", "ې": "ي", "ے": "ي", "ک": "ك", "ڪ": "ك",
    "ہ": "ه", "ە": "ه", "ھ": "ه", "ة": "ه", "ۃ": "ه", "ٱ": "ا" };
  function fold(text) {
    return text.toLowerCase().normalize("NFKD")
      .replace(/[\p{Mn}\p{Cf}\u0640]/gu, "")
      .replace(/[یىېےکڪہەھةۃٱ]/g, function (c) { return VARIANTS[c]; });
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
