// The deficit map: a cell opens the school's deficits in that direction in a dialog.
// Without JavaScript (or without <dialog>) the cell's link opens the same list as a page.
document.addEventListener("DOMContentLoaded", () => {
  const dialog = document.getElementById("deficit-dialog");
  const detail = document.getElementById("deficit-detail");
  if (!dialog || !detail || typeof dialog.showModal !== "function" || !window.htmx) {
    return;
  }
  let opener = null;
  document.body.addEventListener("click", (event) => {
    const link = event.target.closest("a.map-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    opener = link;
    detail.setAttribute("aria-busy", "true");
    window.htmx.ajax("GET", link.href, { target: detail, swap: "innerHTML" }).then(() => {
      detail.removeAttribute("aria-busy");
      if (!dialog.open) {
        dialog.showModal();
      }
      const heading = detail.querySelector("h2");
      if (heading) {
        heading.focus();
      }
    });
  });
  // Back to the cell the dialog was opened from, whether closed by the button or by Esc.
  dialog.addEventListener("close", () => {
    if (opener) {
      opener.focus();
    }
  });
});
