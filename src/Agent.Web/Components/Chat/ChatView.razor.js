// The chat's browser side: the composer's keys, growth and saved draft; the transcript's scroll pinning,
// loading older messages at the top, and code highlighting (highlight.js, bundled under wwwroot/lib).

const maxComposerHeight = 240;

function grow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = Math.min(textarea.scrollHeight, maxComposerHeight) + "px";
}

function saveDraft(textarea, draftKey) {
  if (textarea.value) localStorage.setItem(draftKey, textarea.value);
  else localStorage.removeItem(draftKey);
}

// Enter sends, Shift+Enter adds a line, Esc stops, Up on an empty box edits the last message.
export function attachComposer(textarea, view, draftKey) {
  const saved = localStorage.getItem(draftKey);
  if (saved && !textarea.value) textarea.value = saved;
  grow(textarea);
  textarea.addEventListener("input", () => {
    saveDraft(textarea, draftKey);
    grow(textarea);
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      const text = textarea.value;
      if (!text.trim()) return;
      textarea.value = "";
      saveDraft(textarea, draftKey);
      grow(textarea);
      view.invokeMethodAsync("SendFromKeyboard", text);
    } else if (e.key === "Escape") {
      e.preventDefault();
      view.invokeMethodAsync("StopFromKeyboard");
    } else if (e.key === "ArrowUp" && !textarea.value) {
      e.preventDefault();
      view.invokeMethodAsync("EditLastFromKeyboard");
    }
  });
  textarea.setAttribute("data-composer-ready", "true");
  textarea.focus();
}

export function takeDraft(textarea, draftKey) {
  const text = textarea.value;
  textarea.value = "";
  saveDraft(textarea, draftKey);
  grow(textarea);
  return text;
}

export function setDraft(textarea, draftKey, text) {
  textarea.value = text;
  saveDraft(textarea, draftKey);
  grow(textarea);
  textarea.focus();
  textarea.setSelectionRange(text.length, text.length);
}

function highlight(root) {
  if (!window.hljs) return;
  for (const code of root.querySelectorAll("pre code:not(.hljs)")) {
    window.hljs.highlightElement(code);
  }
}

const anchors = new WeakMap();

// Before older messages are put on top, remember where the reader is so the view does not jump.
export function keepScrollPosition(element) {
  anchors.set(element, { height: element.scrollHeight, top: element.scrollTop });
}

// Keeps the newest text in view while streaming, unless the person scrolled up to read; loads older
// messages when the reader nears the top.
export function attachTranscript(element, view) {
  if (window.hljs) window.hljs.configure({ ignoreUnescapedHTML: true });
  let pinned = true;
  let loading = false;
  element.addEventListener("scroll", async () => {
    pinned = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    if (loading || element.scrollTop > 200 || !element.querySelector("[data-older-sentinel]")) return;
    loading = true;
    keepScrollPosition(element);
    try {
      await view.invokeMethodAsync("LoadOlderFromScroll");
    } finally {
      loading = false;
    }
  });
  new MutationObserver(() => {
    const anchor = anchors.get(element);
    if (anchor && element.scrollHeight !== anchor.height) {
      anchors.delete(element);
      element.scrollTop = anchor.top + (element.scrollHeight - anchor.height);
    } else if (pinned) {
      element.scrollTop = element.scrollHeight;
    }
    highlight(element);
  }).observe(element, { childList: true, subtree: true, characterData: true });

  highlight(element);
  element.scrollTop = element.scrollHeight;
}
