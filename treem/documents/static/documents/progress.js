/* TreEm import progress: poll the reading status and move on to the review screen when it is read. */
(function () {
  "use strict";
  var box = document.getElementById("import-state");
  if (!box) return;
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-message");
  var pagesLabel = box.dataset.pagesLabel || "trang";

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 2000);
        if (bar) {
          // no page count yet (text, DOCX, the start of a PDF): an indeterminate bar
          if (data.progress <= 2 && !data.pages) bar.removeAttribute("value");
          else bar.value = data.progress;
          bar.textContent = data.progress + "%";
        }
        if (text) text.textContent = (data.message || "") + (data.pages ? " · " + data.pages + " " + pagesLabel : "");
        if (data.status === "ready" || data.status === "confirmed") { window.location.href = data.url; return; }
        if (data.status === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 400);
})();
