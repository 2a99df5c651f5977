// The plan editor: keyboard handling around the htmx in-place forms. No build, no inline code.
(() => {
  const FIELDS = "input:not([type=hidden]), textarea, select";

  // An editor opens on the field to fix, else on the one it marks (the item's «Мероприятие»:
  // its number is proposed), else on its first field.
  function focusFirstField(row) {
    const field =
      row.querySelector(`.has-error :is(${FIELDS})`) ||
      row.querySelector("[autofocus]") ||
      row.querySelector(FIELDS);
    if (field) {
      field.focus();
    }
  }

  function say(text, isError) {
    const status = document.getElementById("editor-status");
    if (status) {
      status.textContent = text;
    }
    if (isError) {
      let box = document.querySelector("main .messages");
      if (!box) {
        box = document.createElement("div");
        box.className = "messages";
        box.setAttribute("role", "alert");
        document.getElementById("main").prepend(box);
      }
      const message = document.createElement("p");
      message.className = "message message-error";
      message.textContent = text;
      box.replaceChildren(message);
      box.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const body = document.body;

    // Escape cancels an open editor; Ctrl+Enter saves it.
    body.addEventListener("keydown", (event) => {
      const editor = event.target.closest(".inline-editor");
      if (!editor) {
        return;
      }
      if (event.key === "Escape") {
        const cancel = editor.querySelector("[data-cancel]");
        if (cancel) {
          event.preventDefault();
          cancel.click();
        }
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        editor.requestSubmit();
      }
    });

    body.addEventListener("click", (event) => {
      // «Отмена» of a form for something new: drop the form row, back to the add button.
      const remover = event.target.closest("[data-remove-row]");
      if (remover && remover.closest("tr.edit-row")) {
        event.preventDefault();
        const row = remover.closest("tr");
        const next = row.nextElementSibling;
        row.remove();
        const button = next && next.querySelector("a, button");
        if (button) {
          button.focus();
        }
        return;
      }
      // One more input for a responsible party.
      const adder = event.target.closest("[data-add-responsible]");
      if (adder) {
        const list = adder.parentElement.querySelector("[data-responsible-list]");
        const last = list.querySelector("li:last-child");
        const item = last.cloneNode(true);
        const input = item.querySelector("input");
        input.value = "";
        input.setAttribute("aria-label", `Ответственный ${list.children.length + 1}`);
        list.append(item);
        input.focus();
      }
    });

    // New content from htmx: open editors take the focus; a row that replaced an editor gives
    // it to its «Изменить» button, so the keyboard user stays where they were.
    body.addEventListener("htmx:load", (event) => {
      const element = event.target;
      if (!(element instanceof HTMLElement)) {
        return;
      }
      element.querySelectorAll("[data-add-responsible]").forEach((button) => {
        button.hidden = false;
      });
      if (element.matches("tr.edit-row")) {
        focusFirstField(element);
        return;
      }
      const lost = !document.activeElement || document.activeElement === body;
      if (lost && element.closest("table")) {
        const target = element.querySelector("[id$='-edit']") || element.querySelector("a, button");
        if (target) {
          target.focus();
        }
      }
      if (element.matches("tr.item-row, tr.section-row")) {
        say("Сохранено.", false);
      }
    });

    // htmx does not swap error answers: show their message (a 403 on a frozen plan, say).
    body.addEventListener("htmx:responseError", (event) => {
      const xhr = event.detail.xhr;
      let text = "Не удалось выполнить действие. Обновите страницу и попробуйте ещё раз.";
      if (xhr && xhr.responseText) {
        const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        const paragraph = page.querySelector("main p");
        if (paragraph) {
          text = paragraph.textContent.replace("На главную", "").trim();
        }
      }
      say(text, true);
    });
    body.addEventListener("htmx:sendError", () => {
      say("Нет связи с сервером: изменения не сохранены. Проверьте подключение.", true);
    });

    document.querySelectorAll("[data-add-responsible]").forEach((button) => {
      button.hidden = false;
    });

    // «На основе плана»: choosing a plan fills in the new plan's name and period from it,
    // unless the user has already typed their own.
    document.querySelectorAll("select[data-fills]").forEach((select) => {
      const chosen = select.selectedOptions[0];
      select.dataset.fills.split(" ").forEach((name) => {
        const field = select.form.elements[name];
        if (field && chosen && field.value === chosen.dataset[name]) {
          field.dataset.filled = field.value;
        }
      });
      select.addEventListener("change", () => {
        const option = select.selectedOptions[0];
        select.dataset.fills.split(" ").forEach((name) => {
          const field = select.form.elements[name];
          const value = option ? option.dataset[name] : undefined;
          if (!field || value === undefined) {
            return;
          }
          if (field.value.trim() === "" || field.value === field.dataset.filled) {
            field.value = value;
            field.dataset.filled = value;
          }
        });
      });
    });
  });
})();
