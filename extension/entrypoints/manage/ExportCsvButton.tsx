import { useState } from "preact/hooks";
import { companion } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { saveBlob } from "../../lib/download.js";
import { t } from "../../lib/i18n.js";

/** 导出CSV: the unit's grants as a file (fetched with the session token, then saved). */
export function ExportCsvButton({ tin, onError }: { tin: string; onError(message: string): void }) {
  const [busy, setBusy] = useState(false);
  const exportCsv = async () => {
    setBusy(true);
    try {
      const { blob, fileName } = await companion.exportGrantsCsv(tin);
      saveBlob(blob, fileName);
    } catch (err) {
      onError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="button button--secondary button--small"
      data-testid="export-csv"
      disabled={busy}
      onClick={exportCsv}
    >
      {t("exportCsv")}
    </button>
  );
}
