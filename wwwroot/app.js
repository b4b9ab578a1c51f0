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
// The chat composer: Enter sends, Shift+Enter adds a line, Esc stops, Up on an empty box edits the
// last message. The draft is kept in localStorage per session so it survives a reload.
window.agentChat = {
  attachComposer(textarea, component, draftKey) {
    const saved = localStorage.getItem(draftKey);
    if (saved && !textarea.value) {
      textarea.value = saved;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.addEventListener("input", () => {
      if (textarea.value) localStorage.setItem(draftKey, textarea.value);
      else localStorage.removeItem(draftKey);
    });
    textarea.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        const text = textarea.value;
        if (!text.trim()) return;
        textarea.value = "";
        localStorage.removeItem(draftKey);
        component.invokeMethodAsync("SendFromKeyboard", text);
      } else if (e.key === "Escape") {
        e.preventDefault();
        component.invokeMethodAsync("StopFromKeyboard");
      } else if (e.key === "ArrowUp" && !textarea.value) {
        e.preventDefault();
        component.invokeMethodAsync("EditLastFromKeyboard");
      }
    });
    textarea.setAttribute("data-composer-ready", "true");
  },
  clearDraft(textarea, draftKey) {
    textarea.value = "";
    localStorage.removeItem(draftKey);
  },
  setDraft(textarea, text) {
    textarea.value = text;
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  },
  // Keeps the newest text in view while streaming, unless the person scrolled up to read.
  attachTranscript(element) {
    let pinned = true;
    element.addEventListener("scroll", () => {
      pinned = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    });
    new MutationObserver(() => {
      if (pinned) element.scrollTop = element.scrollHeight;
    }).observe(element, { childList: true, subtree: true, characterData: true });
    element.scrollTop = element.scrollHeight;
  },
};
