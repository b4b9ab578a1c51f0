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
  attachDrops(textarea.closest("[data-drop-zone]"));
  textarea.setAttribute("data-composer-ready", "true");
  textarea.focus();
}

// Files dropped anywhere on the composer go to the attachment picker's input, the paperclip's path: the browser's own
// drop on a file input happens only where the input lies (it covers the zone once the drag is seen) and only for a
// drag from the desktop, so the drop is taken here, and the browser's default (opening the file) is prevented.
function attachDrops(zone) {
  if (!zone) return;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  zone.addEventListener("dragover", (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  zone.addEventListener("drop", (e) => {
    const input = zone.querySelector("input[type=file]");
    const files = e.dataTransfer && e.dataTransfer.files;
    if (!input || !files || files.length === 0) return;
    e.preventDefault();
    input.files = files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
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

// Before pages come or go above or below, remember the first message the reader sees and where, so the view does not jump.
export function keepScrollPosition(element) {
  const top = element.getBoundingClientRect().top;
  const seen = [...element.querySelectorAll("article.message")].find(m => m.getBoundingClientRect().bottom > top);
  anchors.set(element, seen
    ? { message: seen, offset: seen.getBoundingClientRect().top - top, ends: ends(element) }
    : { height: element.scrollHeight, top: element.scrollTop });
}

// The first and last message shown: a page came or went when either changed (a ripple or a re-rendered field did not).
function ends(element) {
  const messages = element.querySelectorAll("article.message");
  return messages.length === 0 ? "" : `${messages[0].dataset.messageId} ${messages[messages.length - 1].dataset.messageId}`;
}

// After "Jump to newest" reads the newest page, the next change of the transcript ends at its bottom.
export function scrollToEnd(element) {
  anchors.set(element, { end: true, ends: ends(element) });
}

function restore(element, anchor) {
  if (anchor.end) {
    element.scrollTop = element.scrollHeight;
  } else if (anchor.message) {
    if (!anchor.message.isConnected) return;
    element.scrollTop += anchor.message.getBoundingClientRect().top - element.getBoundingClientRect().top - anchor.offset;
  } else {
    element.scrollTop = anchor.top + (element.scrollHeight - anchor.height);
  }
}

// Keeps the newest text in view while streaming, unless the person scrolled up to read; loads older messages when the
// reader nears the top, and newer ones near the bottom once the window let them go.
export function attachTranscript(element, view) {
  if (window.hljs) window.hljs.configure({ ignoreUnescapedHTML: true });
  // Whether the reader was at the bottom is judged against the height before the change, from where the view is now:
  // a scroll event arrives a frame late, so a flag set there would snap a view scrolled a moment ago (by focus or
  // scrollIntoView) back down when a click's ripple changes the DOM, and the click would land elsewhere. Only content
  // that grew the transcript moves the view: a ripple or a re-rendered field near the bottom leaves it where it is.
  let lastHeight = element.scrollHeight;
  let loading = false;
  element.addEventListener("scroll", async () => {
    lastHeight = element.scrollHeight; // a reflow (a narrower window) changes the height without a mutation
    if (loading) return;
    const nearTop = element.scrollTop <= 200 && element.querySelector("[data-older-sentinel]");
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= 200 && element.querySelector("[data-newer-sentinel]");
    if (!nearTop && !nearBottom) return;
    loading = true;
    keepScrollPosition(element);
    try {
      if (!(await view.invokeMethodAsync(nearTop ? "LoadOlderFromScroll" : "LoadNewerFromScroll"))) anchors.delete(element);
    } finally {
      loading = false;
    }
  });
  new MutationObserver(() => {
    const anchor = anchors.get(element);
    const pinned = lastHeight - element.scrollTop - element.clientHeight < 80;
    if (anchor && (anchor.ends !== undefined ? ends(element) !== anchor.ends : element.scrollHeight !== anchor.height)) {
      anchors.delete(element);
      restore(element, anchor);
    } else if (pinned && element.scrollHeight !== lastHeight) {
      element.scrollTop = element.scrollHeight;
    }
    lastHeight = element.scrollHeight;
    highlight(element);
  }).observe(element, { childList: true, subtree: true, characterData: true });

  highlight(element);
  element.scrollTop = element.scrollHeight;
  lastHeight = element.scrollHeight;
}

// Voice: the microphone records in the browser; the recording goes to /api/voice/transcribe and the transcript is put
// into the composer (never sent: the person reads it and presses Enter). Speech from /api/voice/speak becomes an object URL.
const recordings = new WeakMap();

export async function startRecording(textarea) {
  if (!navigator.mediaDevices?.getUserMedia || !window.MediaRecorder) {
    return { ok: false, error: "This browser cannot record audio." };
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (e) {
    return { ok: false, error: `The microphone is not available: ${e.message || e.name}`, action: "allow microphone access for this site" };
  }
  const recorder = new MediaRecorder(stream);
  const chunks = [];
  // A chunk every 250 ms; the count on the textarea lets a test wait until audio was captured.
  recorder.addEventListener("dataavailable", (e) => {
    if (e.data.size > 0) chunks.push(e.data);
    textarea.dataset.recordedChunks = String(chunks.length);
  });
  recorder.start(250);
  recordings.set(textarea, { recorder, stream, chunks });
  return { ok: true };
}

// A signed-in page proves it is the app's own with the antiforgery token its sign-out form carries (the owner's page has none and needs none).
function apiHeaders(contentType) {
  const headers = { "Content-Type": contentType };
  const token = document.querySelector('input[name="__RequestVerificationToken"]')?.value;
  if (token) headers.RequestVerificationToken = token;
  return headers;
}

export async function stopAndTranscribe(textarea, draftKey) {
  const recording = recordings.get(textarea);
  if (!recording) return { ok: false, error: "Nothing is being recorded." };
  recordings.delete(textarea);
  const stopped = new Promise((resolve) => recording.recorder.addEventListener("stop", resolve, { once: true }));
  recording.recorder.stop();
  await stopped;
  recording.stream.getTracks().forEach((t) => t.stop());
  delete textarea.dataset.recordedChunks;
  const recorded = new Blob(recording.chunks, { type: recording.recorder.mimeType || "audio/webm" });
  if (recorded.size === 0) return { ok: false, error: "The recording is empty.", action: "record for at least a moment, then stop" };

  let body = recorded;
  let type = (recorded.type || "audio/webm").split(";")[0];
  try {
    body = await toWav(recorded);
    type = "audio/wav";
  } catch {
    // Not decodable here: send what the browser recorded (whisper servers decode webm with ffmpeg).
  }

  let response;
  try {
    response = await fetch("/api/voice/transcribe", { method: "POST", headers: apiHeaders(type), body });
  } catch (e) {
    return { ok: false, error: `The app cannot be reached: ${e.message}` };
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) return { ok: false, error: answer.error || `HTTP ${response.status}`, action: answer.action || null };

  const text = (answer.text || "").trim();
  if (text) {
    textarea.value = textarea.value.trim() ? `${textarea.value.replace(/\s+$/, "")} ${text}` : text;
    saveDraft(textarea, draftKey);
    grow(textarea);
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }
  return { ok: true, text };
}

// 16 kHz mono 16-bit PCM: what whisper models take, and a quarter of the browser's 48 kHz stereo.
async function toWav(blob) {
  const context = new AudioContext();
  let decoded;
  try {
    decoded = await context.decodeAudioData(await blob.arrayBuffer());
  } finally {
    context.close();
  }
  const rate = 16000;
  const offline = new OfflineAudioContext(1, Math.max(1, Math.ceil(decoded.duration * rate)), rate);
  const source = offline.createBufferSource();
  source.buffer = decoded;
  source.connect(offline.destination);
  source.start();
  const samples = (await offline.startRendering()).getChannelData(0);
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (offset, value) => { for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i)); };
  text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, "data"); view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([view.buffer], { type: "audio/wav" });
}

export async function speak(text) {
  let response;
  try {
    response = await fetch("/api/voice/speak", { method: "POST", headers: apiHeaders("application/json"), body: JSON.stringify({ text }) });
  } catch (e) {
    return { ok: false, error: `The app cannot be reached: ${e.message}` };
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    return { ok: false, error: answer.error || `HTTP ${response.status}`, action: answer.action || null };
  }
  return { ok: true, url: URL.createObjectURL(await response.blob()) };
}

export function releaseAudio(url) {
  URL.revokeObjectURL(url);
}
