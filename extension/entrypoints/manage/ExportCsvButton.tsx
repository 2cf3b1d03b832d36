import { companion } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { saveBlob } from "../../lib/download.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

/** 导出CSV: the unit's grants as a file (fetched with the session token, then saved). */
export function ExportCsvButton({ tin, onError }: { tin: string; onError(message: string): void }) {
  const exportCsv = useAction(
    async () => {
      const { blob, fileName } = await companion.exportGrantsCsv(tin);
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
      data-testid="export-csv"
      disabled={exportCsv.busy}
      onClick={() => exportCsv.run()}
    >
      {t("exportCsv")}
    </button>
  );
}
