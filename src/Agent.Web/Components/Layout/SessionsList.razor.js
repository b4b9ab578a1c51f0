// A chat's export: a temporary link with a download attribute, so the browser saves the file (the API answers it as an
// attachment) and Blazor's router does not take the click for a page change.
export function download(url) {
  const link = document.createElement("a");
  link.href = url;
  link.download = "";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
