// Execution reports on the plan page: the «Отчёт» button opens the item's reports in a row under
// the item (htmx fetches it), a second press or «Закрыть» or Escape closes it. No inline scripts.
(() => {
  const toggleFor = (rowId) => document.querySelector(`[data-report-toggle="${rowId}"]`);

  const closeRow = (row) => {
    const toggle = toggleFor(row.id);
    row.remove();
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  };

  const columnCount = (row) => {
    const reference = row.previousElementSibling || row.parentElement.querySelector("tr");
    if (!reference || reference === row) return 1;
    return Array.from(reference.cells).reduce((sum, cell) => sum + (cell.colSpan || 1), 0);
  };

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-report-toggle]");
    if (toggle) {
      const open = document.getElementById(toggle.dataset.reportToggle);
      if (open) {
        // Already open: close instead of fetching the row again (capture phase, before htmx).
        event.preventDefault();
        event.stopImmediatePropagation();
        closeRow(open);
      }
      return;
    }
    const close = event.target.closest("[data-report-close]");
    if (close) {
      const row = document.getElementById(close.dataset.reportClose);
      if (row) closeRow(row);
    }
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const row = event.target.closest && event.target.closest("tr.execution-row");
    if (row) closeRow(row);
  });

  document.addEventListener("htmx:load", (event) => {
    const row = event.detail.elt;
    if (!row.matches || !row.matches("tr.execution-row")) return;
    const cell = row.querySelector(":scope > td");
    if (cell) cell.colSpan = columnCount(row);
    const toggle = toggleFor(row.id);
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    const invalid = row.querySelector(".has-error input, .has-error select, .has-error textarea");
    const target = invalid || row.querySelector("[role=status]") || row.querySelector("h3");
    if (target) {
      if (!target.hasAttribute("tabindex") && !invalid) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
