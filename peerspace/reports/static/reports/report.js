// A wide table scrolls sideways inside its own box: say so wherever one
// doesn't fit (a phone, a narrow window), and only there.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-scroll[data-hint]").forEach(function (box) {
      var id = box.getAttribute("data-hint");
      var hint = document.getElementById(id);
      if (!hint) {
        return;
      }
      hint.hidden = box.scrollWidth <= box.clientWidth + 1;
      if (hint.hidden) {
        box.removeAttribute("aria-describedby");
      } else {
        box.setAttribute("aria-describedby", id);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
