import { useEffect, useRef, useState } from "preact/hooks";
import { decodeQrFile, UnreadableImageError } from "../../lib/decode-qr.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

const firstImage = (files: FileList | null | undefined): File | undefined =>
  [...(files ?? [])].find((file) => file.type.startsWith("image/")) ?? files?.[0];

/**
 * A picture of the QR code instead of the camera (a screenshot of the other client's screen): chosen
 * with 【选择图片】, dropped anywhere on the page, or pasted with Ctrl+V. Read here, in the page.
 */
export function ImagePicker({ onText, onProblem }: { onText(text: string): void; onProblem(message: string): void }) {
  const [dragging, setDragging] = useState(false);

  const reading = useAction(
    async (file: File) => {
      const text = await decodeQrFile(file);
      if (text) onText(text);
      else onProblem(t("scanImageNoQr"));
    },
    {
      onError: (error) => {
        onProblem(t(error instanceof UnreadableImageError ? "scanImageUnreadable" : "errorUnexpected"));
        return null;
      },
    },
  );
  const read = async (file: File | undefined) => {
    if (file) await reading.run(file);
  };
  const latestRead = useRef(read);
  latestRead.current = read;

  // The whole page takes a dropped or pasted picture (and a drop never opens the file instead).
  useEffect(() => {
    const over = (event: DragEvent) => {
      event.preventDefault();
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      if (!event.relatedTarget) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      event.preventDefault();
      setDragging(false);
      void latestRead.current(firstImage(event.dataTransfer?.files));
    };
    const paste = (event: ClipboardEvent) => {
      const file = firstImage(event.clipboardData?.files);
      if (!file) return;
      event.preventDefault();
      void latestRead.current(file);
    };
    document.addEventListener("dragover", over);
    document.addEventListener("dragleave", leave);
    document.addEventListener("drop", drop);
    document.addEventListener("paste", paste);
    return () => {
      document.removeEventListener("dragover", over);
      document.removeEventListener("dragleave", leave);
      document.removeEventListener("drop", drop);
      document.removeEventListener("paste", paste);
    };
  }, []);

  return (
    <section class={dragging ? "scan-image scan-image--over" : "scan-image"} data-testid="scan-image">
      <h2 class="scan-image-title">{t("scanImageTitle")}</h2>
      <p class="muted small">{t("scanImageHint")}</p>
      <label class="button button--secondary scan-image-pick">
        {reading.busy ? t("scanImageReading") : t("scanImagePick")}
        <input
          type="file"
          accept="image/*"
          class="visually-hidden"
          data-testid="scan-file"
          disabled={reading.busy}
          onChange={(event) => {
            const input = event.currentTarget;
            void read(firstImage(input.files));
            input.value = "";
          }}
        />
      </label>
    </section>
  );
}
