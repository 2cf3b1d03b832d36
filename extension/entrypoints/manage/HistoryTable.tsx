import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion, type HistoryEntry, type HistoryFilterRequest } from "../../lib/companion-client.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { type MessageKey, t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";

const FIELD_LABELS: Record<string, MessageKey> = {
  permission: "fieldPermission",
  termType: "fieldTermType",
  startDate: "fieldStartDate",
  endDate: "fieldEndDate",
  status: "colStatus",
  needsReview: "needsReview",
  endedBy: "historyEndedBy",
};

/** Stored codes shown in words. */
const VALUE_LABELS: Record<string, Record<string, MessageKey>> = {
  endedBy: { unit: "endedByUnit", self: "endedBySelf" },
};

const isEmpty = (value: unknown) => value === null || value === undefined || value === "";

function show(key: string, value: unknown): string {
  if (isEmpty(value)) return "—";
  const label = typeof value === "string" ? VALUE_LABELS[key]?.[value] : undefined;
  if (label) return t(label);
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}

/** The fields an entry touched: for a change those that differ, else every field recorded with a value. */
function changes(
  entry: HistoryEntry,
): Array<{ key: string; label: string; before: string | null; after: string | null }> {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((key) =>
      entry.before && entry.after
        ? show(key, before[key]) !== show(key, after[key])
        : !isEmpty((entry.after ?? entry.before)?.[key]),
    )
    .map((key) => {
      const label = FIELD_LABELS[key];
      return {
        key,
        label: label ? t(label) : key,
        before: entry.before ? show(key, before[key]) : null,
        after: entry.after ? show(key, after[key]) : null,
      };
    });
}

/**
 * 变更记录: who did what to which grant, before → after, newest first (append-only on the
 * companion), the rows the filter keeps.
 */
export function HistoryTable({ tin, version, filter }: { tin: string; version: number; filter: HistoryFilterRequest }) {
  const history = usePages(
    (page, signal) => companion.history(tin, { ...filter, ...page }, signal),
    [tin, version, filter],
  );
  if (history.error && !history.last) return <LoadError error={history.error} onRetry={history.reload} />;
  if (!history.last) return <p class="muted">{t("loadingData")}</p>;
  if (history.items.length === 0) {
    const filtered = Object.keys(filter).length > 0;
    return (
      <p class="empty" data-testid="history-empty">
        {t(filtered ? "historyNoMatch" : "historyEmpty")}
      </p>
    );
  }
  return (
    <>
      <table class="table" data-testid="history-table">
        <thead>
          <tr>
            <th>{t("colTime")}</th>
            <th>{t("colActor")}</th>
            <th>{t("colAction")}</th>
            <th>{t("colGrantee")}</th>
            <th>{t("colChange")}</th>
          </tr>
        </thead>
        <tbody>
          {history.items.map((entry) => (
            <tr key={entry.seq} data-testid="history-row">
              <td class="nowrap">{shanghaiDateTime(entry.at)}</td>
              <td>
                {entry.actor.name}
                <div class="muted small">{entry.actor.role}</div>
              </td>
              <td data-testid="history-action">{entry.action}</td>
              <td>{entry.grantee}</td>
              <td>
                <ul class="changes">
                  {changes(entry).map((change) => (
                    <li key={change.key}>
                      <span class="muted">{change.label}：</span>
                      {change.before !== null ? <span class="before">{change.before}</span> : null}
                      {change.before !== null && change.after !== null ? <span class="arrow"> → </span> : null}
                      {change.after !== null ? <span class="after">{change.after}</span> : null}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreRows pages={history} testId="history-more" />
    </>
  );
}
