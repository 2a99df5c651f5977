// The calendar page: copy a feed address with one click (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-on-focus]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      const label = button.textContent;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        document.execCommand("copy");
      }
      button.textContent = "Скопировано";
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  });
});
