// The door without a connection (attendance/views/offline.py).
//
// On the door page: registers the door's service worker, keeps the offline
// door page, and keeps a snapshot of who's here (with their emergency
// contacts) in this device's localStorage. On the offline door: arrivals and
// sign-outs typed go into a queue on the device, each with its own id and the
// time it was typed, and are sent when the connection is back; the device
// forgets each one only once the server says it has it. On every signed-in
// page: a queue waiting is sent, a snapshot from an earlier day is dropped,
// and logging out warns before losing anything unsent, then clears what the
// device kept. On a signed-out page (the session ran out): all but the
// arrivals not yet sent is cleared. What is kept, where and for how long: docs/privacy.md.
(function () {
  "use strict";
  var QUEUE = "peerspace.door.queue";
  var SNAPSHOT = "peerspace.door.snapshot.";
  var PREFIX = "peerspace.door.";
  var CACHES = "peerspace-door-";
  var RETRY_MS = 20000;

  function gettext(text) {
    return window.gettext ? window.gettext(text) : text;
  }
  function ngettext(one, many, n) {
    return window.ngettext ? window.ngettext(one, many, n) : (n === 1 ? one : many);
  }
  function fill(format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function read(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function write(key, value) {
    window.localStorage.setItem(key, JSON.stringify(value));
  }
  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }
  function hhmm(iso) {
    var d = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function queue() { return read(QUEUE, []); }

  // Snapshots are for today only: nobody's details outlive the day.
  function dropOldSnapshots() {
    var day = today();
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf(SNAPSHOT) === 0) {
        var snap = read(key, null);
        if (!snap || snap.date !== day) window.localStorage.removeItem(key);
      }
    }
  }

  // Everything, or everything but arrivals not yet sent (`keepQueue`).
  function forgetEverything(keepQueue) {
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf(PREFIX) === 0 && !(keepQueue && key === QUEUE)) {
        window.localStorage.removeItem(key);
      }
    }
    var jobs = [];
    if (window.caches) {
      jobs.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) {
          return key.indexOf(CACHES) === 0;
        }).map(function (key) { return window.caches.delete(key); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(jobs).catch(function () {});
  }

  // Sending: a fresh snapshot first (it proves we're online and signed in,
  // and carries the token the POST needs), then the queue, site by site.
  var sending = null;
  var lastResults = [];
  function fetchSnapshot(url) {
    // Taken after a change, not by someone using the door: it mustn't keep an
    // unattended screen signed in (peerspace.http.is_background).
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Peerspace-Background": "1" }
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
          throw new Error("signed-out");
        }
        return response.json();
      })
      .then(function (snap) {
        write(SNAPSHOT + snap.site, snap);
        return snap;
      });
  }

  function sendQueue() {
    if (sending) return sending;
    var items = queue();
    if (!items.length || !navigator.onLine) return Promise.resolve(false);
    var bySite = {};
    items.forEach(function (item) {
      (bySite[item.send] = bySite[item.send] || []).push(item);
    });
    var results = [];
    var problem = "";
    sending = Object.keys(bySite).reduce(function (done, sendUrl) {
      var batch = bySite[sendUrl];
      return done.then(function () {
        return fetchSnapshot(batch[0].snapshot).then(function (snap) {
          return fetch(sendUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": snap.csrf, Accept: "application/json" },
            body: JSON.stringify({ items: batch.map(function (item) {
              return { id: item.id, kind: item.kind, name: item.name, visit: item.visit, ref: item.ref, typed_at: item.typed_at };
            }) }),
          });
        }).then(function (response) {
          if (!response.ok) throw new Error("refused");
          return response.json();
        }).then(function (answer) {
          var received = {};
          answer.results.forEach(function (result) {
            if (result.received) received[result.id] = true;
            results.push({ message: result.message, received: result.received });
          });
          // Forget only what the server has; anything else stays to try again.
          write(QUEUE, queue().filter(function (item) { return !received[item.id]; }));
          return fetchSnapshot(batch[0].snapshot).catch(function () {});
        });
      });
    }, Promise.resolve()).catch(function (error) {
      problem = error.message === "signed-out"
        ? gettext("Please log in again to send them: they are kept on this device until then.")
        : gettext("They couldn't be sent yet: they are kept on this device and tried again soon.");
    }).then(function () {
      sending = null;
      lastResults = results;
      document.dispatchEvent(new CustomEvent("offline-door:sent", { detail: { results: results, problem: problem } }));
      return true;
    });
    return sending;
  }

  // Logging out: say so if it would lose arrivals not yet sent; once nothing
  // is waiting, clear what the device kept (the logout answer's
  // Clear-Site-Data does too, where browsers honour it).
  function guardLogout() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-logout]")) return;
      event.preventDefault();
      var waiting = queue().length;
      if (waiting && form.dataset.loseThem !== "1") {
        showLogoutWarning(form, waiting);
        return;
      }
      forgetEverything().then(function () { form.submit(); });
    }, true);
  }

  function showLogoutWarning(form, waiting) {
    var old = document.getElementById("logout-warning");
    if (old) old.remove();
    var box = el("section", { id: "logout-warning", class: "alert alert-warning", role: "alert", "aria-labelledby": "logout-warning-heading", tabindex: "-1" });
    box.appendChild(el("h2", { id: "logout-warning-heading", class: "h5" }, fill(ngettext(
      "%(count)s arrival typed offline hasn't been sent yet",
      "%(count)s arrivals typed offline haven't been sent yet", waiting), { count: waiting })));
    box.appendChild(el("p", {}, gettext("Logging out now would lose them from this device. Send them first (you need a connection), or log out and type them in again later.")));
    var buttons = el("div", { class: "d-flex flex-wrap gap-2" });
    var send = el("button", { type: "button", class: "btn btn-primary" }, gettext("Send them now"));
    var anyway = el("button", { type: "button", class: "btn btn-outline-dark" }, gettext("Log out and lose them"));
    var status = el("p", { class: "mt-2 mb-0", role: "status" });
    send.addEventListener("click", function () {
      status.textContent = gettext("Sending…");
      sendQueue().then(function () {
        if (queue().length) {
          status.textContent = gettext("They couldn't all be sent: check the connection and try again.");
        } else {
          status.textContent = gettext("All sent. Logging out…");
          forgetEverything().then(function () { form.submit(); });
        }
      });
    });
    anyway.addEventListener("click", function () {
      form.dataset.loseThem = "1";
      forgetEverything().then(function () { form.submit(); });
    });
    buttons.appendChild(send);
    buttons.appendChild(anyway);
    box.appendChild(buttons);
    box.appendChild(status);
    var main = document.getElementById("main");
    main.insertBefore(box, main.firstChild);
    box.focus();
  }

  // The door page, online: keep what the offline door needs.
  function keepForOffline(hook) {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(hook.dataset.workerUrl, { scope: hook.dataset.workerScope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        if (navigator.serviceWorker.controller) return null;
        return new Promise(function (resolve) {
          navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
        });
      })
      .then(function () {
        // Through the worker, which keeps it.
        return fetch(hook.dataset.offlineUrl, { credentials: "same-origin" });
      })
      .then(function () { hook.dataset.ready = "1"; })
      .catch(function () {});
  }

  function watchConnection(hook) {
    function update() {
      hook.hidden = navigator.onLine;
      if (navigator.onLine) sendQueue();
    }
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    update();
  }

  // The offline door: typing arrivals, the last list, the fire register.
  function offlineDoor(hook) {
    var site = hook.dataset.site;
    var form = document.getElementById("offline-arrival");
    var nameBox = document.getElementById("offline-name");
    var list = document.getElementById("offline-here");
    var status = document.getElementById("offline-queue-status");
    var sent = document.getElementById("offline-sent");
    var online = document.getElementById("offline-online");
    document.getElementById("offline-date").textContent = "· " + new Date().toLocaleDateString(document.documentElement.lang, { weekday: "long", day: "numeric", month: "long" });

    function add(item) {
      item.site = site;
      item.send = hook.dataset.sendUrl;
      item.snapshot = hook.dataset.snapshotUrl;
      item.id = newId();
      item.typed_at = new Date().toISOString();
      var items = queue();
      items.push(item);
      write(QUEUE, items);
    }

    // Who's here as this device knows it: the last snapshot, plus arrivals
    // typed here, less sign-outs typed here.
    function people() {
      var snap = read(SNAPSHOT + site, null);
      if (snap && snap.date !== today()) snap = null;
      var items = queue().filter(function (item) { return item.site === site; });
      var gone = {};
      items.forEach(function (item) {
        if (item.kind === "left") gone[item.visit ? "v" + item.visit : "r" + item.ref] = true;
      });
      var here = [];
      ((snap && snap.here) || []).forEach(function (row) {
        if (!gone["v" + row.visit]) here.push({ name: row.name, arrived_at: row.arrived_at, contacts: row.contacts, visit: row.visit });
      });
      items.forEach(function (item) {
        if (item.kind === "arrived" && !gone["r" + item.id]) {
          here.push({ name: item.name, arrived_at: item.typed_at, contacts: null, ref: item.id });
        }
      });
      return { snap: snap, here: here };
    }

    function render() {
      var state = people();
      var snap = state.snap;
      var unnamed = snap ? snap.unnamed : 0;
      document.getElementById("offline-count").textContent = String(state.here.length + unnamed);
      document.getElementById("offline-as-of").textContent = snap
        ? fill(gettext("As this device last knew at %(time)s, with the arrivals and sign-outs typed here since."), { time: hhmm(snap.taken_at) })
        : gettext("This device has no list from today of who's here. Arrivals typed here are still kept and sent.");
      list.textContent = "";
      state.here.forEach(function (person, i) {
        var row = el("li", { class: "here-row" });
        var top = el("div", { class: "d-flex justify-content-between align-items-start gap-2" });
        var who = el("div");
        who.appendChild(el("span", { class: "fw-semibold fs-5" }, person.name));
        who.appendChild(document.createTextNode(" "));
        who.appendChild(el("span", { class: "text-body-secondary" }, person.ref
          ? fill(gettext("typed here at %(time)s, not sent yet"), { time: hhmm(person.arrived_at) })
          : fill(gettext("arrived %(time)s"), { time: hhmm(person.arrived_at) })));
        top.appendChild(who);
        var out = el("button", { type: "button", class: "btn btn-outline-secondary" }, gettext("Sign out"));
        out.setAttribute("aria-label", fill(gettext("Sign out %(name)s"), { name: person.name }));
        out.addEventListener("click", function () {
          add(person.ref ? { kind: "left", ref: person.ref } : { kind: "left", visit: person.visit });
          say(fill(gettext("%(name)s is signed out on this device."), { name: person.name }));
          render();
        });
        top.appendChild(out);
        row.appendChild(top);
        if (person.contacts) {
          var details = el("details", { class: "contacts" });
          details.appendChild(el("summary", {}, person.contacts.length ? gettext("Emergency contacts") : gettext("Emergency contacts (none given)")));
          var ul = el("ul", { class: "list-unstyled mb-1" });
          person.contacts.forEach(function (contact) {
            var li = el("li");
            var label = contact.relationship
              ? fill(gettext("Call %(name)s (%(relationship)s): %(phone)s"), contact)
              : fill(gettext("Call %(name)s: %(phone)s"), contact);
            li.appendChild(el("a", { class: "btn btn-outline-primary my-1", href: "tel:" + contact.phone.replace(/\s/g, "") }, label));
            ul.appendChild(li);
          });
          details.appendChild(ul);
          row.appendChild(details);
        }
        list.appendChild(row);
      });
      if (!state.here.length && !unnamed) list.appendChild(el("li", { class: "text-body-secondary py-2" }, gettext("No one is signed in.")));
      if (unnamed) list.appendChild(el("li", { class: "here-row fs-5" }, fill(ngettext("%(count)s unnamed visitor", "%(count)s unnamed visitors", unnamed), { count: unnamed })));
      var waiting = queue().length;
      status.textContent = waiting
        ? fill(ngettext("%(count)s change is kept on this device, waiting to be sent.", "%(count)s changes are kept on this device, waiting to be sent.", waiting), { count: waiting })
        : gettext("Nothing is waiting to be sent.");
      fireRegister(state);
    }

    function fireRegister(state) {
      var snap = state.snap;
      var rows = document.getElementById("fire-register-rows");
      rows.textContent = "";
      document.getElementById("fire-register-when").textContent = fill(
        gettext("Printed %(when)s from this device, offline. Who was here at %(time)s, with the arrivals and sign-outs typed here since."),
        { when: new Date().toLocaleString(document.documentElement.lang), time: snap ? hhmm(snap.taken_at) : "—" });
      state.here.forEach(function (person) {
        var tr = el("tr");
        tr.appendChild(el("th", { scope: "row" }, person.name));
        tr.appendChild(el("td", {}, hhmm(person.arrived_at)));
        tr.appendChild(el("td", {}, person.contacts
          ? person.contacts.map(function (c) {
            return c.name + (c.relationship ? " (" + c.relationship + ")" : "") + " " + c.phone;
          }).join("; ") || gettext("None given")
          : gettext("Typed here offline: see her record")));
        tr.appendChild(el("td", {}, "☐"));
        rows.appendChild(tr);
      });
      var others = [];
      if (snap && snap.unnamed) others.push(fill(ngettext("%(count)s unnamed visitor.", "%(count)s unnamed visitors.", snap.unnamed), { count: snap.unnamed }));
      if (snap && snap.waiting.length) others.push(fill(gettext("Said at the kiosk they're here: %(names)s."), { names: snap.waiting.join(", ") }));
      document.getElementById("fire-register-others").textContent = others.join(" ");
    }

    function say(text) {
      var li = el("li", {}, text);
      sent.insertBefore(li, sent.firstChild);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = nameBox.value.replace(/\s+/g, " ").trim();
      if (!name) {
        nameBox.focus();
        return;
      }
      add({ kind: "arrived", name: name.slice(0, 100) });
      say(fill(gettext("%(name)s is signed in on this device at %(time)s."), { name: name, time: hhmm(new Date().toISOString()) }));
      nameBox.value = "";
      nameBox.focus();
      render();
    });
    document.getElementById("offline-send").addEventListener("click", function () {
      if (!navigator.onLine) {
        say(gettext("No connection yet: they'll be sent as soon as it's back."));
        return;
      }
      sendQueue();
    });
    document.getElementById("offline-print").addEventListener("click", function () {
      render();
      window.print();
    });
    document.addEventListener("offline-door:sent", function (event) {
      event.detail.results.forEach(function (result) { say(result.message); });
      if (event.detail.problem) say(event.detail.problem);
      render();
    });
    function connection() {
      online.hidden = !navigator.onLine;
    }
    window.addEventListener("online", connection);
    window.addEventListener("offline", connection);
    connection();
    render();
  }

  function start() {
    if (!document.querySelector("form[data-logout]")) {
      // Signed out without the logout button (the session ran out): nobody's
      // details stay, only arrivals not yet sent, for when she's back.
      forgetEverything(true);
      return;
    }
    dropOldSnapshots();
    guardLogout();
    var hook = document.getElementById("offline-hook");
    if (hook && hook.dataset.offlinePage === "1") {
      offlineDoor(hook);
      watchConnection(hook);
    } else if (hook) {
      keepForOffline(hook);
      watchConnection(hook);
      var refresh = function () {
        if (navigator.onLine) fetchSnapshot(hook.dataset.snapshotUrl).catch(function () {});
      };
      refresh();
      // The last list must be the latest one when the connection drops: taken
      // again after each change made here, and when the door's refresh brings
      // another facilitator's (a 200, not a 304).
      document.addEventListener("htmx:afterRequest", function (event) {
        var config = event.detail.requestConfig;
        if (!event.detail.successful || !config) return;
        var others = event.detail.elt.id === "here-refresh" && event.detail.xhr.status === 200;
        if (config.verb !== "get" || others) refresh();
      });
    } else if (navigator.onLine) {
      sendQueue();
    }
    window.setInterval(function () {
      if (queue().length && navigator.onLine) sendQueue();
    }, RETRY_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
