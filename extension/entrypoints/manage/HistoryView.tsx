import { useState } from "preact/hooks";
import { companion, type HistoryFilterRequest } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { ExportCsvButton } from "./ExportCsvButton.js";
import { HistoryFilters } from "./HistoryFilters.js";
import { HistoryTable } from "./HistoryTable.js";

/** The 变更记录 tab: the filters with 导出 of what they keep, then the filtered history. */
export function HistoryView({
  tin,
  version,
  onError,
}: {
  tin: string;
  version: number;
  onError(message: string): void;
}) {
  const [filter, setFilter] = useState<HistoryFilterRequest>({});
  return (
    <>
      <div class="history-toolbar">
        <HistoryFilters onApply={setFilter} />
        <ExportCsvButton
          label={t("exportHistoryCsv")}
          testId="export-history-csv"
          exportFile={() => companion.exportHistoryCsv(tin, filter)}
          onError={onError}
        />
      </div>
      <HistoryTable tin={tin} version={version} filter={filter} />
    </>
  );
}
