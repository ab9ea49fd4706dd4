// Balise's service worker (rendered by lms.views.service_worker). Progressive
// enhancement: every page works without it. What it does:
// - learner pages (same origin, GET, under the prefixes below): network first, and a copy
//   kept on this device, shown when the network fails;
// - static files: from the device, refreshed in the background;
// - any other page that fails for want of network: the offline page;
// - nothing else is kept: no POST (the page's script keeps offline answers), no htmx
//   fragment, no redirect, no error, no response marked no-store, no page of the
//   coaches, managers or admins. Logging out clears it all (Clear-Site-Data).
// - the pages kept are one person's: every page names its reader (X-Balise-Reader, a key
//   that does not give the account away, "-" for a visitor); when another reader shows up
//   (a shared phone, a session that ran out without a logout), the pages kept for the
//   previous one are deleted before anything else is shown or kept.
"use strict";
const CONFIG = {{ config|safe }};
const STATIC = "balise-static-{{ version }}";
const PAGES = "balise-pages-";  // + the reader's key
let reader = null;  // whose pages are kept; read back from the caches' names after a restart

async function currentReader() {
  if (reader === null) {
    const kept = (await caches.keys()).filter((name) => name.startsWith(PAGES));
    reader = kept.length === 1 ? kept[0].slice(PAGES.length) : "";
  }
  return reader;
}

async function meet(response) {
  // A page for another reader than the one whose pages are kept: forget those first.
  const who = response.headers.get("X-Balise-Reader");
  if (!who || who === await currentReader()) return who;
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(PAGES)).map((name) => caches.delete(name)));
  reader = who;
  return who;
}

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
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const who = await currentReader();
    const kept = who && who !== "-" &&
      await (await caches.open(PAGES + who)).match(request, {ignoreVary: true});
    if (kept) return kept;
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
  const who = await meet(response);
  if (who && who !== "-" && keepable(response)) {
    const copy = response.clone();
    caches.open(PAGES + who).then((cache) => cache.put(request, copy)).catch(() => {});
  }
  return response;
}

async function otherPage(request) {
  try {
    const response = await fetch(request);
    await meet(response);
    return response;
  } catch (error) {
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
    event.respondWith(otherPage(request));
  }
});
