// The door's service worker (attendance/views/offline.py). Pages: the network
// first, so the door is never stale online; with no connection, the offline
// door kept for the site. Static files and the translation catalogue are kept
// so that page is whole. Nobody's details are kept here: the offline door
// reads them from the device's snapshot (docs/privacy.md).
"use strict";
var CACHE = {{ cache_name|safe }};
var PRECACHE = {{ precache|safe }};
var STATIC_URL = {{ static_url|safe }};
var DOOR = {{ door|safe }};
var DOOR_PAGE = new RegExp("^" + DOOR + "(\\d+)/(offline/)?$");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(PRECACHE); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("peerspace-door-") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function fromCache(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true, ignoreSearch: true });
  });
}

function networkFirst(request, fallback) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && fallback === undefined) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return fromCache(fallback || request).then(function (kept) {
      return kept || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var door = null;
  if (request.mode === "navigate") {
    door = url.pathname.match(DOOR_PAGE);
    // Only the door has an offline page; every other page as usual.
    if (door) event.respondWith(networkFirst(request, DOOR + door[1] + "/offline/"));
    return;
  }
  door = url.pathname.match(DOOR_PAGE);
  if (door && door[2]) {
    // The door page asks for its offline page once it has loaded, to keep it.
    event.respondWith(networkFirst(request));
    return;
  }
  if (PRECACHE.indexOf(url.pathname) === -1) return;
  if (url.pathname.indexOf(STATIC_URL) === 0) {
    event.respondWith(fromCache(request).then(function (kept) {
      return kept || fetch(request);
    }));
  } else {
    // The translation catalogue follows the language chosen: the network first.
    event.respondWith(networkFirst(request));
  }
});
