import { describeError } from "../../lib/describe-error.js";
import { saveBlob } from "../../lib/download.js";
import { useAction } from "../../lib/use-action.js";

interface ExportCsvButtonProps {
  label: string;
  testId: string;
  /** Fetches the file (with the session token, which a plain link could not send). */
  exportFile(): Promise<{ blob: Blob; fileName: string }>;
  onError(message: string): void;
}

/** 导出CSV: a file from the companion, saved under the name it gives. */
export function ExportCsvButton({ label, testId, exportFile, onError }: ExportCsvButtonProps) {
  const exportCsv = useAction(
    async () => {
      const { blob, fileName } = await exportFile();
      saveBlob(blob, fileName);
    },
    {
      onError: (err) => {
        onError(describeError(err));
        return null;
      },
    },
  );
  return (
    <button
      type="button"
      class="button button--secondary button--small"
      data-testid={testId}
      disabled={exportCsv.busy}
      onClick={() => exportCsv.run()}
    >
      {label}
    </button>
  );
}
