// Balise offline (progressive enhancement; pages work without it): registers the service
// worker, keeps on this device the answers typed and the steps marked done without
// network, and sends them when the network returns (one request each, with a key the
// server applies once). Texts come from the page (data attributes, translated by Django).
(function () {
  "use strict";
  var status = document.getElementById("offline-status");
  if (!status || !("serviceWorker" in navigator) || !window.caches || !window.localStorage) return;
  navigator.serviceWorker.register(status.dataset.sw, {scope: "/"}).catch(function () {});
  var user = status.dataset.user;
  var KEY = "balise-outbox";
  var inflight = null;
  var notices = [];

  function say(text) { status.textContent = text || ""; status.hidden = !text; }
  // Everything kept on this device; ``mine()`` what this page's person wrote (the offline
  // page knows nobody: it counts everything).
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function mine() { return load().filter(function (i) { return !user || i.user === user; }); }
  function store(items) { localStorage.setItem(KEY, JSON.stringify(items)); } // may throw
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return match[1];
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function sameStep(a, b) {
    return a.step === b.step && String(a.module) === String(b.module) && a.kind === b.kind;
  }

  function show() {
    var items = mine(), lines = [];
    if (!navigator.onLine) lines.push(status.dataset.offline);
    var waiting = items.filter(function (i) { return !i.refused; }).length;
    if (waiting) lines.push(status.dataset.pending.replace("{count}", waiting));
    items.filter(function (i) { return i.refused; }).forEach(function (i) {
      var texts = Object.keys(i.fields || {}).filter(function (n) { return n.indexOf("q_") === 0; })
        .map(function (n) { return i.fields[n].join(", "); }).filter(Boolean);
      lines.push(status.dataset.refused + " " + i.refused + (texts.length ? " « " + texts.join(" / ") + " »" : ""));
    });
    say(lines.concat(notices).join(" "));
  }

  // Keep one change on the device; false when the device's storage is full.
  function keep(item) {
    var items = load();
    item.user = user;
    item.typed_at = new Date().toISOString();
    var same = items.filter(function (i) {
      return !i.refused && i.user === user && sameStep(i, item) && i.key !== inflight;
    })[0];
    if (item.kind === "complete" && same) return true;
    if (same) { item.key = same.key; items[items.indexOf(same)] = item; }
    else { item.key = newKey(); items.push(item); }
    try { store(items); } catch (e) { say(status.dataset.full); return false; }
    show();
    return true;
  }

  function formItem(form) {
    var item = {kind: form.dataset.offlineForm, pathway: form.dataset.pathway,
                module: form.dataset.module, step: form.dataset.step};
    if (item.kind !== "answers") return item;
    item.based_on = form.dataset.version || "";
    item.fields = {};
    item.labels = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "save" || name === "complete") return;
      (item.fields[name] = item.fields[name] || []).push(String(value));
    });
    form.querySelectorAll("[name^='q_']").forEach(function (input) {
      var fieldset = input.closest("fieldset"), label = form.querySelector("label[for='" + input.id + "']");
      var text = fieldset ? fieldset.querySelector("legend") : label;
      if (text) item.labels[input.name] = text.textContent.replace("*", "").trim();
    });
    return item;
  }

  // Say on the form that its change waits on this device; a step marked done shows no button.
  function pending(form, complete) {
    var text = complete && form.dataset.offlineDone ? form.dataset.offlineDone : form.dataset.offlinePending;
    if (complete) form.querySelectorAll("button[name='complete']").forEach(function (b) { b.hidden = true; });
    if (form.dataset.offlineForm === "complete") form.querySelector("button").hidden = true;
    var box = form.querySelector("[data-autosave-status]");
    if (!box) {
      box = document.createElement("p");
      box.className = "completion__pending";
      box.setAttribute("role", "status");
      form.appendChild(box);
    }
    box.textContent = text;
  }

  function keepForm(form, complete) {
    if (!keep(formItem(form))) return;
    if (complete && form.dataset.offlineForm === "answers") {
      var done = formItem(form);
      done.kind = "complete";
      delete done.fields; delete done.labels; delete done.based_on;
      if (!keep(done)) return;
    }
    pending(form, complete);
  }

  // Sends what waits, in order; stops at the first network failure (retried later).
  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine || !user) return Promise.resolve();
    flushing = true;
    var items = mine().filter(function (i) { return !i.refused; });
    function next() {
      var item = items.shift();
      if (!item) return Promise.resolve();
      inflight = item.key;
      return fetch(status.dataset.sync, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(item),
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (response.redirected || !json) { notices = [status.dataset.login]; throw new Error("login"); }
        if (response.status === 429 || response.status >= 500) throw new Error("later");
        return response.json().then(function (answer) {
          var all = load();
          if (response.ok) {
            all = all.filter(function (i) { return i.key !== item.key; });
            if (answer.outcome !== "saved") notices.push(answer.message);
            var form = document.querySelector("[data-offline-form='answers'][data-step='" + item.step + "']");
            if (form && answer.version) form.dataset.version = answer.version;
          } else {
            all.forEach(function (i) { if (i.key === item.key) i.refused = answer.message || String(response.status); });
          }
          try { store(all); } catch (e) { /* removing never needs room */ }
          return next();
        });
      });
    }
    var before = items.length;
    return next().then(function () {
      if (before && !mine().length && !notices.length) notices = [status.dataset.sent];
    }).catch(function () {}).then(function () {
      inflight = null;
      flushing = false;
      show();
    });
  }

  // Put back into a (cached) exercise form what was typed offline and not sent yet.
  function restore(form) {
    var item = mine().filter(function (i) {
      return i.kind === "answers" && !i.refused && i.step === form.dataset.step && String(i.module) === form.dataset.module;
    })[0];
    if (!item) return;
    form.querySelectorAll("[name^='q_'], [name='share_with_coach']").forEach(function (input) {
      var values = item.fields[input.name] || [];
      if (input.type === "radio" || input.type === "checkbox") input.checked = values.indexOf(input.value) >= 0;
      else input.value = values[0] || "";
    });
    pending(form, false);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("[data-offline-form]");
    if (form && !navigator.onLine) { event.preventDefault(); keepForm(form, false); }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("[data-offline-form]");
    if (form) setTimeout(function () { keepForm(form, false); }, 0);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var saved = event.detail.target.closest && document.querySelector("[data-autosave-status][data-version]");
    var form = saved && saved.closest("[data-offline-form]");
    if (form) form.dataset.version = saved.dataset.version;
  });
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-logout]") && mine().length && !form.dataset.warned) {
      event.preventDefault();
      form.dataset.warned = "1";
      flush().then(function () {
        if (!mine().length) form.submit();
        else say(status.dataset.logout);
      });
      return;
    }
    if (!form.matches("[data-offline-form]") || navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    var submitter = event.submitter;
    keepForm(form, form.dataset.offlineForm === "complete" || (submitter && submitter.name === "complete"));
  }, true);
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);

  // « Enregistrer pour lire hors connexion »: the size first, then the pages and documents.
  document.querySelectorAll("[data-offline-save]").forEach(function (section) {
    var line = section.querySelector("[data-offline-save-status]");
    var confirm = section.querySelector("[data-offline-save-confirm]");
    var urls = [];
    section.hidden = false;
    section.querySelector("[data-offline-save-measure]").addEventListener("click", function () {
      line.textContent = section.dataset.measuring;
      fetch(section.dataset.offlineSave, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (data) {
        urls = data.resources.map(function (r) { return r.url; });
        line.textContent = section.dataset.size.replace("{size}", data.total).replace("{count}", urls.length);
        confirm.hidden = false;
      }).catch(function () { line.textContent = section.dataset.failed; });
    });
    confirm.addEventListener("click", function () {
      line.textContent = section.dataset.saving;
      confirm.hidden = true;
      caches.open("balise-pages").then(function (cache) {
        return urls.reduce(function (done, url) {
          return done.then(function () {
            return fetch(url, {credentials: "same-origin"}).then(function (response) {
              if (!response.ok || response.redirected) throw new Error(response.status);
              return cache.put(url, response);
            });
          });
        }, Promise.resolve());
      }).then(function () { line.textContent = section.dataset.saved; }).catch(function (error) {
        line.textContent = error && error.name === "QuotaExceededError" ? section.dataset.full : section.dataset.failed;
      });
    });
  });

  document.querySelectorAll("[data-offline-form='answers']").forEach(restore);
  show();
  flush();
})();
