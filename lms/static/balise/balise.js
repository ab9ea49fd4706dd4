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
  // Typing after a save: say the latest change is not saved yet, until htmx answers.
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("[data-autosave]");
    var status = form && form.querySelector("[data-autosave-status]");
    if (status) status.textContent = form.getAttribute("data-autosave-pending");
  });
  document.addEventListener("htmx:sendError", showAutosaveFailure);
  document.addEventListener("htmx:responseError", showAutosaveFailure);
})();
