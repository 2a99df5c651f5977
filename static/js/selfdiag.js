// Self-diagnosis questionnaire: a visible status for each autosaved answer (no inline scripts, CSP).
// Each answer form posts on change through htmx (hx-post, hx-trigger="change"); the server answers
// with «Сохранено» and out-of-band updates of the progress. Here: «Сохранение…» while the request
// runs, and a clear message if it fails, so nobody leaves thinking an answer was kept.
document.addEventListener("DOMContentLoaded", () => {
  const statusOf = (element) => {
    const form = element && element.closest ? element.closest("form[data-autosave]") : null;
    return form ? form.querySelector(".save-status") : null;
  };
  const show = (element, text, kind) => {
    const status = statusOf(element);
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-error", kind === "error");
    status.classList.toggle("is-pending", kind === "pending");
  };
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    show(event.detail.elt, "Сохранение…", "pending");
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const status = statusOf(event.detail.elt);
    if (status && event.detail.successful) {
      status.classList.remove("is-error", "is-pending");
    }
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const text = xhr && xhr.responseText && xhr.responseText.length < 300
      ? xhr.responseText
      : `Ответ не сохранён (ошибка ${xhr ? xhr.status : ""}). Обновите страницу и попробуйте ещё раз.`;
    show(event.detail.elt, text, "error");
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    show(event.detail.elt, "Нет связи с сервером: ответ не сохранён. Выберите вариант ещё раз.", "error");
  });
});

// «Выбрать все»: a checkbox that ticks or clears every row checkbox of its table, and shows
// «some» (indeterminate) when only part of them are ticked.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-all]").forEach((all) => {
    const table = all.closest("table");
    const boxes = () => Array.from(table.querySelectorAll(all.dataset.selectAll));
    const sync = () => {
      const ticked = boxes().filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    };
    // Shown only where it works: it needs this script.
    (all.closest("[data-select-all-control]") || all).hidden = false;
    all.addEventListener("change", () => {
      boxes().forEach((box) => { box.checked = all.checked; });
      sync();
    });
    table.addEventListener("change", (event) => {
      if (event.target !== all && event.target.matches(all.dataset.selectAll)) sync();
    });
    sync();
  });
});
