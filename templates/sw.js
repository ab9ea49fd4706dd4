// Balise's service worker (rendered by lms.views.service_worker). Progressive
// enhancement: every page works without it. What it does:
// - learner pages (same origin, GET, under the prefixes below): network first, and a copy
//   kept on this device, shown when the network fails;
// - static files: from the device, refreshed in the background;
// - any other page that fails for want of network: the offline page;
// - nothing else is kept: no POST (the page's script keeps offline answers), no htmx
//   fragment, no redirect, no error, no response marked no-store, no page of the
//   coaches, managers or admins. Logging out clears it all (Clear-Site-Data).
"use strict";
const CONFIG = {{ config|safe }};
const STATIC = "balise-static-{{ version }}";
const PAGES = "balise-pages";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC)
      .then((cache) => cache.addAll([CONFIG.offline, ...CONFIG.precache]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("balise-static-") && name !== STATIC)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function startsWithAny(path, prefixes) {
  return prefixes.some((prefix) => path.startsWith(prefix));
}

function keepable(response) {
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    !/no-store|private, no-cache/.test(response.headers.get("Cache-Control") || "");
}

async function offlinePage() {
  return (await caches.match(CONFIG.offline)) || Response.error();
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (keepable(response)) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request, copy)).catch(() => {});
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, {ignoreVary: true});
    if (kept) return kept;
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
}

async function staticFile(request) {
  const kept = await caches.match(request);
  const fresh = fetch(request).then((response) => {
    if (keepable(response)) {
      const copy = response.clone();
      caches.open(STATIC).then((cache) => cache.put(request, copy)).catch(() => {});
    }
    return response;
  });
  if (kept) {
    fresh.catch(() => {});
    return kept;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET" || request.headers.has("HX-Request")) return;
  if (url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(staticFile(request));
  } else if (startsWithAny(url.pathname, CONFIG.pages) &&
             !startsWithAny(url.pathname, CONFIG.network_only)) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  }
});
