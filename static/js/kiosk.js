// The kiosk: it clears itself when left untouched, and staff log it out by
// holding a button. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // Back to the start after a while untouched, so the next woman never sees
  // what the last one typed. Only while untouched: a tap, a key or a scroll
  // starts the wait again, and a page with a form asks "Still there?" first.
  var page = document.querySelector("[data-clear-after]");
  if (page) {
    var clearAfter = parseInt(page.dataset.clearAfter, 10) * 1000;
    var warnFor = parseInt(page.dataset.warnFor || "0", 10);
    var dialog = document.getElementById("still-there");
    var seconds = dialog && dialog.querySelector(".still-there-seconds");
    var wait = null;
    var countdown = null;

    var clear = function () { window.location.replace(page.dataset.clearTo); };
    var warn = function () {
      if (!dialog || !warnFor) { clear(); return; }
      var left = warnFor;
      seconds.textContent = String(left);
      dialog.showModal();
      countdown = window.setInterval(function () {
        left -= 1;
        if (left <= 0) { clear(); return; }
        seconds.textContent = String(left);
      }, 1000);
    };
    var restart = function () {
      window.clearTimeout(wait);
      window.clearInterval(countdown);
      if (dialog && dialog.open) dialog.close();
      wait = window.setTimeout(warn, clearAfter);
    };
    ["pointerdown", "keydown", "input", "scroll", "wheel"].forEach(function (name) {
      document.addEventListener(name, restart, { capture: true, passive: true });
    });
    if (dialog) {
      // "Keep going", or Escape: she's still there.
      dialog.querySelector(".still-there-keep").addEventListener("click", restart);
      dialog.addEventListener("cancel", restart);
    }
    restart();
  }

  // "Staff: log out": hold it for two seconds, watching the bar fill, to log
  // out. A tap (or a knock) only says how; Enter or Space opens the page that
  // asks for the kiosk's password instead, as the button does without script.
  var HOLD = 2000;
  var button = document.querySelector("[data-hold-to]");
  if (button) {
    var form = document.getElementById(button.dataset.holdTo);
    var bar = button.closest(".staff-exit").querySelector(".hold-progress");
    var hint = button.closest(".staff-exit").querySelector(".hold-hint");
    var started = 0;
    var frame = null;

    var stop = function () {
      window.cancelAnimationFrame(frame);
      started = 0;
      bar.hidden = true;
      bar.value = 0;
    };
    var step = function (now) {
      var done = Math.min(100, ((now - started) / HOLD) * 100);
      bar.value = done;
      if (done >= 100) {
        hint.textContent = "Logging out…";
        form.submit();
        return;
      }
      frame = window.requestAnimationFrame(step);
    };
    button.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      hint.textContent = "";
      bar.hidden = false;
      started = performance.now();
      frame = window.requestAnimationFrame(function (now) {
        started = now;
        step(now);
      });
    });
    ["pointerup", "pointerleave", "pointercancel"].forEach(function (name) {
      button.addEventListener(name, function () {
        if (started && bar.value < 100) {
          hint.textContent = "Hold for two seconds to log out.";
          stop();
        }
      });
    });
    // A pointer's click comes after the hold (or the tap): never the page.
    button.addEventListener("click", function (event) {
      if (event.detail > 0) event.preventDefault();
    });
    button.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  }
})();
