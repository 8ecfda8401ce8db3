// Onsite's service worker (rendered by onsite.site.offline; version {{ version }}).
// - static files: kept at install in a cache named after the version; a new deployment has a
//   new version, installs a new worker and drops the old caches;
// - pages: a page marked "Onsite-Offline: keep" is kept when it is opened (network first) and
//   opened from the cache when the network is gone; pages the person needs on the floor are
//   warmed on request of the page (links marked data-offline);
// - writes (POST) never pass through here: the page's outbox sends them.
// Nothing of one person stays for the next: sign-out answers with Clear-Site-Data, and when
// another person signs in on this phone the page cache is dropped.
"use strict";
var VERSION = "{{ version|escapejs }}";
var STATIC = "onsite-static-" + VERSION;
var PAGES = "onsite-pages";
var META = "onsite-meta";
var ASSETS = {{ assets|safe }};
var OFFLINE = {{ offline_url|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      // One by one: a file that fails on a weak network does not stop the worker (it is
      // kept when a page loads it); only the offline page is a must.
      return Promise.all(ASSETS.map(function (url) {
        return cache.add(url).catch(function () {});
      })).then(function () {
        // Without the session cookie: the page names nobody, and a request that carried the
        // cookie while a password change replaced the session would be answered with the
        // cookie's deletion.
        return cache.add(new Request(OFFLINE, { credentials: "omit" }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        // Pages of an older deployment name its static files: open them fresh next time.
        return name !== STATIC && name !== META && name.indexOf("onsite-") === 0;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function kept(response) {
  return response && response.ok && response.headers.get("Onsite-Offline") === "keep";
}

function keep(request, response) {
  return caches.open(PAGES).then(function (cache) { return cache.put(request, response); });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (kept(response)) {
      var copy = response.clone();
      keep(request.url, copy);
    }
    return response;
  }, function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request.url, { ignoreVary: true });
    }).then(function (hit) {
      return hit || caches.match(OFFLINE, { ignoreVary: true });
    }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

function asset(request) {
  return caches.match(request, { ignoreVary: true }).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

// Photos on a kept page (thumbnails of the checklist): network first, the copy offline.
function image(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(request); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  } else if (request.destination === "image") {
    event.respondWith(image(request));
  }
});

// fresh: fetch again even if a copy is kept (after a write on that page).
function warm(urls, fresh) {
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return (fresh ? Promise.resolve(null) : cache.match(url, { ignoreVary: true })).then(function (hit) {
        if (hit) return;
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (kept(response)) return cache.put(url, response);
        });
      }).catch(function () {});
    }));
  });
}

// The person using this phone: when it changes, the pages kept for the last one go.
function signedIn(user) {
  return caches.open(META).then(function (cache) {
    return cache.match("/__onsite_user__").then(function (hit) {
      return hit ? hit.text() : "";
    }).then(function (before) {
      if (before === user) return;
      // Someone else before (a session that ended without sign-out): their pages go.
      return (before ? caches.delete(PAGES) : Promise.resolve()).then(function () {
        return cache.put("/__onsite_user__", new Response(user));
      });
    });
  });
}

// Messages are handled one after the other: a change of person finishes before pages are warmed.
var queue = Promise.resolve();
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var job = null;
  if (data.type === "warm" && Array.isArray(data.urls)) {
    job = function () {
      return warm(data.urls.filter(function (u) {
        return new URL(u, self.location.origin).origin === self.location.origin;
      }), data.fresh === true);
    };
  } else if (data.type === "claim") {
    job = function () { return self.clients.claim(); };
  } else if (data.type === "user" && typeof data.user === "string") {
    job = function () { return signedIn(data.user); };
  }
  if (job) {
    queue = queue.then(job).catch(function () {});
    event.waitUntil(queue);
  }
});
