// Small browser helpers called from Blazor components.
window.agentTheme = {
  save(name, theme) {
    document.cookie = `${name}=${encodeURIComponent(theme)}; path=/; max-age=31536000; samesite=lax`;
  },
};
