/** Saves a Blob as a file through an <a download> (the file came over an authenticated fetch). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // Give the download a moment to pick the object up before it is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
