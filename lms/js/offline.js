// Balise offline, on top of pages that work without it: registers the service worker,
// keeps on the device what is written without network, sends it when the network
// returns (a key each, applied once by the server). See docs/architecture.md « Offline ».
(() => {
  "use strict";
  const bar = document.getElementById("offline-status");
  if (!bar || !("serviceWorker" in navigator) || !window.caches) return;
  navigator.serviceWorker.register(bar.dataset.sw, {scope: "/"}).catch(() => {});
  // What to say is in the footer (#offline-messages); where to send, on the bar.
  const messages = document.getElementById("offline-messages");
  const d = Object.assign({}, messages ? messages.dataset : {}, bar.dataset), user = d.user, KEY = "balise-outbox", $ = (s, r) => (r || document).querySelectorAll(s);
  let inflight = null, flushing = false, notices = [];
  const say = (text) => { bar.textContent = text || ""; bar.hidden = !text; };
  const load = () => { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; } };
  // The offline page knows nobody: it counts everything kept.
  const mine = () => load().filter((i) => !user || i.user === user);
  const store = (items) => localStorage.setItem(KEY, JSON.stringify(items)); // may throw
  const csrf = () => (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] ||
    JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function show() {
    const items = mine(), lines = navigator.onLine ? [] : [d.offline];
    const waiting = items.filter((i) => !i.refused).length;
    if (waiting) lines.push(d.pending.replace("{count}", waiting));
    items.filter((i) => i.refused).forEach((i) => {
      const texts = Object.keys(i.fields || {}).filter((n) => n.startsWith("q_")).map((n) => i.fields[n].join(", "));
      lines.push(`${d.refused} ${i.refused} « ${texts.filter(Boolean).join(" / ")} »`);
    });
    say(lines.concat(notices).join(" "));
  }

  // Keep one change on the device (the latest answers of a step replace those not sent);
  // false when the device's storage is full: what was kept before stays as it was.
  function keep(item) {
    const items = load();
    Object.assign(item, {user, typed_at: new Date().toISOString()});
    const same = items.find((i) => !i.refused && i.user === user && i.kind === item.kind &&
      i.step === item.step && i.module === item.module && i.key !== inflight);
    if (same && item.kind === "complete") return true;
    if (same) items[items.indexOf(same)] = Object.assign(item, {key: same.key});
    else items.push(Object.assign(item, {key: crypto.randomUUID()}));
    try { store(items); } catch (e) { say(d.full); return false; }
    show();
    return true;
  }

  function formItem(form, kind) {
    const f = form.dataset, item = {kind: kind || f.offlineForm, pathway: f.pathway, module: f.module, step: f.step};
    if (item.kind !== "answers") return item;
    Object.assign(item, {based_on: f.version || "", fields: {}, labels: {}});
    new FormData(form).forEach((value, name) => {
      if (!["csrfmiddlewaretoken", "save", "complete"].includes(name)) (item.fields[name] = item.fields[name] || []).push(value);
    });
    $("[name^='q_']", form).forEach((input) => {
      const fieldset = input.closest("fieldset");
      const label = fieldset ? fieldset.querySelector("legend") : $(`label[for='${input.id}']`, form)[0];
      if (label) item.labels[input.name] = label.textContent.replace("*", "").trim();
    });
    return item;
  }

  // Say on the form that its change waits on the device; a step kept as done has no button.
  function pending(form, complete) {
    if (complete) $("button[name='complete'], [data-offline-form='complete'] button", form.parentNode).forEach((b) => { b.hidden = true; });
    let box = $("[data-autosave-status]", form)[0];
    if (!box) {
      box = form.appendChild(document.createElement("p"));
      box.className = "completion__pending";
      box.setAttribute("role", "status");
    }
    const kind = form.dataset.offlineForm;
    box.textContent = kind === "complete" ? d.completePending : complete ? d.answersDone : d.answersPending;
  }

  function keepForm(form, complete) {
    if (!keep(formItem(form))) return;
    if (complete && form.dataset.offlineForm === "answers" && !keep(formItem(form, "complete"))) return;
    pending(form, complete);
  }

  // Send what waits, in order; stop at the first failure of the network (retried later).
  async function flush() {
    if (flushing || !navigator.onLine || !user) return;
    flushing = true;
    const items = mine().filter((i) => !i.refused), before = items.length;
    try {
      for (const item of items) {
        inflight = item.key;
        const response = await fetch(d.sync, {method: "POST", credentials: "same-origin", body: JSON.stringify(item),
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}});
        if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
          notices = [d.login];
          break;
        }
        if (response.status === 429 || response.status >= 500) break;
        const answer = await response.json();
        let all = load();
        if (response.ok) {
          all = all.filter((i) => i.key !== item.key);
          if (answer.outcome !== "saved") notices.push(answer.message);
          const form = $(`[data-offline-form='answers'][data-step='${item.step}']`)[0];
          if (form && answer.version) form.dataset.version = answer.version;
        } else {
          all.forEach((i) => { if (i.key === item.key) i.refused = answer.message || response.status; });
        }
        store(all);
      }
    } catch (e) { /* the network went again: what is left waits */ }
    if (before && !mine().length && !notices.length) notices = [d.sent];
    inflight = null;
    flushing = false;
    show();
  }

  // Put back into a (kept) exercise page what was typed offline and not sent yet.
  function restore(form) {
    const item = mine().find((i) => i.kind === "answers" && !i.refused && i.step === form.dataset.step && i.module === form.dataset.module);
    if (!item) return;
    $("[name^='q_'], [name='share_with_coach']", form).forEach((input) => {
      const values = item.fields[input.name] || [];
      if (input.type === "radio" || input.type === "checkbox") input.checked = values.includes(input.value);
      else input.value = values[0] || "";
    });
    pending(form, false);
  }

  const formOf = (event) => event.detail.elt.closest && event.detail.elt.closest("[data-offline-form]");
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = formOf(event);
    if (form && !navigator.onLine) { event.preventDefault(); keepForm(form, false); }
  });
  document.addEventListener("htmx:sendError", (event) => {
    const form = formOf(event);
    if (form) setTimeout(() => keepForm(form, false), 0);
  });
  document.addEventListener("htmx:afterSwap", () => {
    const saved = $("[data-autosave-status][data-version]")[0], form = saved && saved.closest("[data-offline-form]");
    if (form) form.dataset.version = saved.dataset.version;
  });
  window.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-logout]") && mine().length && !form.dataset.warned) {
      event.preventDefault();
      form.dataset.warned = "1";
      flush().then(() => (mine().length ? say(d.logout) : form.submit()));
    } else if (form.matches("[data-offline-form]") && !navigator.onLine) {
      event.preventDefault();
      event.stopPropagation();
      keepForm(form, form.dataset.offlineForm === "complete" || (event.submitter && event.submitter.name === "complete"));
    }
  }, true);
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);

  // « Enregistrer pour lire hors connexion »: the size first, then the pages and documents.
  const saveTemplate = document.getElementById("offline-save-template");
  $("[data-offline-save]").forEach((section) => {
    if (!saveTemplate) return;
    section.append(saveTemplate.content.cloneNode(true));
    const line = $("[data-offline-save-status]", section)[0];
    const confirm = $("[data-offline-save-confirm]", section)[0];
    let urls = [];
    section.hidden = false;
    $("[data-offline-save-measure]", section)[0].addEventListener("click", async () => {
      line.textContent = d.saveMeasuring;
      try {
        const response = await fetch(section.dataset.offlineSave, {credentials: "same-origin"});
        if (!response.ok) throw new Error(response.status);
        const data = await response.json();
        urls = data.resources.map((r) => r.url);
        line.textContent = d.saveSize.replace("{size}", data.total).replace("{count}", urls.length);
        confirm.hidden = false;
      } catch (e) { line.textContent = d.saveFailed; }
    });
    confirm.addEventListener("click", async () => {
      line.textContent = d.saveSaving;
      confirm.hidden = true;
      try {
        // Kept among the pages of the person they were served to (see sw.js).
        let cache = null;
        for (const url of urls) {
          const response = await fetch(url, {credentials: "same-origin"});
          if (!response.ok || response.redirected) throw new Error(response.status);
          const who = response.headers.get("X-Balise-Reader");
          if (who === "-") throw new Error("anonymous");
          if (who) cache = await caches.open("balise-pages-" + who);
          if (!cache) throw new Error("no reader");  // the step pages come first
          await cache.put(url, response);
        }
        line.textContent = d.saveSaved;
      } catch (e) {
        line.textContent = e.name === "QuotaExceededError" ? d.saveFull : d.saveFailed;
      }
    });
  });

  $("[data-offline-form='answers']").forEach(restore);
  show();
  flush();
})();
