// Browser notifications for chats that end or wait for an approval while this tab is in the background. The page
// asks for permission only when the person presses "Turn on" in Settings.

// "granted", "denied", "default" (not asked yet) or "unsupported".
export function permission() {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

export async function requestPermission() {
  if (typeof Notification === "undefined") return "unsupported";
  return await Notification.requestPermission();
}

// Shows a notification only when the tab is hidden (the toast speaks while the person looks at the app). The tag makes
// a second tab of the same app replace the notification rather than repeat it. Returns whether one was shown.
export function notifyIfHidden(title, body, url, tag) {
  if (document.visibilityState !== "hidden" || permission() !== "granted") return false;
  const notification = new Notification(title, { body, tag, icon: "/favicon.svg" });
  notification.onclick = () => {
    window.focus();
    if (location.pathname !== url) window.Blazor.navigateTo(url);
    notification.close();
  };
  return true;
}
