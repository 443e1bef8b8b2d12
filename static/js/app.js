// Peerspace's few behaviours. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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
    if (elt.dataset.inflight === "1") {
      event.preventDefault();
      return;
    }
    elt.dataset.inflight = "1";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    event.detail.elt.dataset.inflight = "";
    if (!event.detail.successful && event.detail.xhr && event.detail.xhr.status === 0) {
      window.alert("We couldn't reach Peerspace. Check the wifi and try again: nothing was lost.");
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401 || status === 403 || (event.detail.xhr.responseURL || "").indexOf("/login/") !== -1) {
      window.location.reload();
    } else {
      window.alert("Sorry, that didn't work. Please try again.");
    }
  });
  // A signed-out htmx request is redirected to the login page: reload instead
  // of putting a login form inside the list.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr.responseURL || "";
    if (url.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.href = "/login/?next=" + encodeURIComponent(window.location.pathname);
    }
  });

  // After signing someone in, clear the search so the next person can be found.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "here") {
      var q = document.getElementById("q");
      var results = document.getElementById("results");
      if (q && event.detail.requestConfig && event.detail.requestConfig.verb === "post" &&
          event.detail.requestConfig.path.indexOf("/sign-in/") !== -1) {
        q.value = "";
        if (results) results.innerHTML = "";
        q.focus();
      }
    }
  });

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
})();
