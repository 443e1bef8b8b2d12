// Peerspace's few behaviours. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Words in the page's language, from Django's JavaScript catalogue (a
  // deferred script, so looked up when needed); English until it has loaded,
  // or if it never does (offline).
  function gettext(text) {
    return window.gettext ? window.gettext(text) : text;
  }
  function ngettext(one, many, count) {
    return window.ngettext ? window.ngettext(one, many, count) : count === 1 ? one : many;
  }
  function interpolate(text, values) {
    var i = 0;
    return text.replace(/%s/g, function () { return String(values[i++]); });
  }

  // A double-tapped button must not send the form twice. Forms keep their
  // values, and the button comes back if the network drops.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    window.setTimeout(function () { form.dataset.submitting = ""; }, 8000);
  });

  // htmx forms: ignore a second tap while the first is on its way.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    // The door's refresh waits while the screen is hidden or off.
    if (elt.id === "here-refresh" && document.hidden) {
      event.preventDefault();
      return;
    }
    if (elt.dataset.inflight === "1") {
      event.preventDefault();
      return;
    }
    elt.dataset.inflight = "1";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    event.detail.elt.dataset.inflight = "";
    // A refresh that didn't get through just tries again in a few seconds.
    if (event.detail.elt.id === "here-refresh") return;
    if (!event.detail.successful && event.detail.xhr && event.detail.xhr.status === 0) {
      window.alert(gettext("We couldn't reach Peerspace. Check the wifi and try again: nothing was lost."));
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401 || status === 403 || (event.detail.xhr.responseURL || "").indexOf("/login/") !== -1) {
      window.location.reload();
    } else {
      window.alert(gettext("Sorry, that didn't work. Please try again."));
    }
  });
  // A signed-out htmx request is redirected to the login page: reload instead
  // of putting a login form inside the list.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The door's refresh: nothing changed, keep the list as it is.
    if (event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      return;
    }
    var url = event.detail.xhr.responseURL || "";
    if (url.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.href = "/login/?next=" + encodeURIComponent(window.location.pathname);
    }
  });

  // The door (attendance/templates/attendance/today.html). A change answers
  // with what changed (out-of-band swaps), and the list's ETag goes with each
  // request: the refresh gets a 304 while nothing at the site has changed.
  document.addEventListener("htmx:configRequest", function (event) {
    var version = document.getElementById("here-version");
    if (!version) return;
    var refresh = event.detail.elt.id === "here-refresh";
    event.detail.headers[refresh ? "If-None-Match" : "X-Door-Etag"] = version.dataset.etag;
    // Not someone using the door: it mustn't keep the screen signed in
    // (peerspace.http.is_background).
    if (refresh) event.detail.headers["X-Peerspace-Background"] = "1";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.successful || !xhr || xhr.getResponseHeader("X-Door-Saved") !== "1") return;
    var elt = event.detail.elt;
    if (event.detail.requestConfig.path.indexOf("/sign-in/") !== -1) {
      // Signed in: clear the search so the next person can be found.
      var q = document.getElementById("q");
      var results = document.getElementById("results");
      if (q) {
        q.value = "";
        q.focus();
      }
      if (results) results.innerHTML = "";
    } else if (elt.tagName === "FORM" && elt.closest("details")) {
      // Quick add and head-count: ready for the next one.
      elt.reset();
    }
  });

  // "Undo" after a single "Sign out" stays a few seconds.
  function expireUndo() {
    document.querySelectorAll("button.undo[data-undo-for]").forEach(function (button) {
      var seconds = parseInt(button.dataset.undoFor, 10) || 10;
      button.removeAttribute("data-undo-for");
      window.setTimeout(function () {
        if (document.activeElement === button) {
          var q = document.getElementById("q");
          if (q) q.focus();
        }
        button.remove();
      }, seconds * 1000);
    });
  }

  // The quick filter on who's here: type letters, the list narrows. Letters
  // match the start of any word of her name, accents and case aside.
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();
  }
  function filterHere() {
    var input = document.getElementById("here-filter");
    var list = document.getElementById("here-list");
    if (!input || !list) return;
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var rows = list.querySelectorAll(".here-row");
    var shown = 0;
    rows.forEach(function (row) {
      var link = row.querySelector("a");
      var name = " " + fold(link ? link.textContent : "").replace(/[^\p{L}\p{N}]+/gu, " ");
      var match = words.every(function (word) { return name.indexOf(" " + word) !== -1; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    var status = document.getElementById("here-filter-status");
    if (!status) return;
    if (!words.length) {
      status.textContent = "";
    } else if (!shown) {
      status.textContent = interpolate(gettext("No one in the list matches “%s”."), [input.value]);
    } else {
      status.textContent = interpolate(
        ngettext("Showing %s of %s person.", "Showing %s of %s people.", rows.length),
        [shown, rows.length]
      );
    }
  }
  function startDoor() {
    var box = document.getElementById("here-filter-box");
    var input = document.getElementById("here-filter");
    if (box) box.hidden = !document.querySelector("#here-list .here-row") && !input.value;
    filterHere();
    expireUndo();
  }
  document.addEventListener("input", function (event) {
    if (event.target.id === "here-filter") filterHere();
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the filter does nothing more: the list has already narrowed.
    if (event.target.id === "here-filter" && event.key === "Enter") event.preventDefault();
  });
  document.addEventListener("htmx:afterSettle", startDoor);
  document.addEventListener("htmx:oobAfterSwap", startDoor);
  startDoor();

  // The error summary (templates/partials/error_summary.html): its links in the
  // order the fields come on the page, the summary focused so it is read out
  // first, and each link puts the cursor in its field with the field's label
  // in view, opening any <details> it is folded into.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    var list = summary.querySelector("ul");
    var items = Array.prototype.slice.call(list.children);
    var place = function (li) {
      var link = li.querySelector("a");
      return link ? document.getElementById(link.hash.slice(1)) : null;
    };
    items.sort(function (a, b) {
      var x = place(a), y = place(b);
      if (!x || !y || x === y) return 0;
      return x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    }).forEach(function (li) { list.appendChild(li); });
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.hash.slice(1));
      if (!field) return;
      event.preventDefault();
      for (var open = field.closest("details"); open; open = open.parentElement.closest("details")) {
        open.open = true;
      }
      // A group of radios is introduced by its legend; anything else by its label.
      var group = field.type === "radio" && field.closest("fieldset");
      var label = document.querySelector("label[for='" + field.id + "']");
      var show = (group && group.querySelector("legend")) || label || field;
      show.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // "Add another contact": copy the empty form, numbering it as Django expects.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".add-contact");
    if (!button) return;
    var prefix = button.dataset.prefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById("contact-template");
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    document.getElementById("contact-forms").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = document.getElementById("id_" + prefix + "-" + index + "-name");
    if (first) first.focus();
  });

  // The navigation's "More" group is a <details>: it works without this.
  // Here it also closes like a menu, on Escape or a tap elsewhere.
  function closeGroups(except) {
    document.querySelectorAll("details.nav-group[open]").forEach(function (group) {
      if (group !== except) group.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    closeGroups(event.target.closest("details.nav-group"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var group = event.target.closest && event.target.closest("details.nav-group[open]");
    closeGroups();
    if (group) group.querySelector("summary").focus();
  });
})();
