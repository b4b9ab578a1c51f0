// Small browser helpers used by the shell; the chat's own script is Components/Chat/ChatView.razor.js.
window.agentTheme = {
  // Marks the effective theme on <html> (the code-highlighting theme and tests read it).
  apply(theme) {
    document.documentElement.dataset.theme = theme;
  },
  save(name, theme) {
    document.cookie = `${name}=${encodeURIComponent(theme)}; path=/; max-age=31536000; samesite=lax`;
    window.agentTheme.apply(theme);
  },
};

// Copy buttons on code blocks rendered from markdown (server-rendered, so no per-block wiring).
document.addEventListener("click", (e) => {
  const button = e.target.closest && e.target.closest(".copy-code");
  if (!button) return;
  const code = button.parentElement.querySelector("pre");
  if (code && navigator.clipboard) {
    navigator.clipboard.writeText(code.innerText).then(() => {
      button.textContent = "Copied";
      setTimeout(() => (button.textContent = "Copy"), 1500);
    });
  }
});
