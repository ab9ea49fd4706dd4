// Balise: small progressive enhancements on top of htmx. Pages work without it.
(function () {
  "use strict";
  // Autosave failed (network down, server error): say so next to the form.
  // htmx swaps nothing on failure, so every typed answer stays in the form.
  function showAutosaveFailure(event) {
    var form = event.target.closest && event.target.closest("[data-autosave]");
    if (!form) return;
    var status = form.querySelector("[data-autosave-status]");
    if (!status) return;
    status.innerHTML = "";
    var span = document.createElement("span");
    span.className = "error";
    span.textContent = form.getAttribute("data-autosave-error");
    status.appendChild(span);
  }
  document.addEventListener("htmx:sendError", showAutosaveFailure);
  document.addEventListener("htmx:responseError", showAutosaveFailure);
})();
