import { useState } from "preact/hooks";
import { HISTORY_ACTIONS } from "../../../shared/api/grants.js";
import type { HistoryFilterRequest } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";

/** The companion refuses a longer 姓名 than this. */
const MAX_NAME_LENGTH = 64;

const EMPTY = { from: "", to: "", actor: "", grantee: "", action: "" };
type Typed = typeof EMPTY;

/** What was typed, as the companion reads it: empty fields left out, names trimmed. */
function filterOf(typed: Typed): HistoryFilterRequest {
  const filter: Record<string, string> = {};
  for (const [key, value] of Object.entries(typed)) if (value.trim()) filter[key] = value.trim();
  return filter as HistoryFilterRequest;
}

/**
 * Above 变更记录: 起止日期, 操作人, 被授权人 (whole 姓名) and 操作类型, sent to the companion on 筛选
 * (or Enter), not on every key; 清除筛选 shows the whole history again.
 */
export function HistoryFilters({ onApply }: { onApply(filter: HistoryFilterRequest): void }) {
  const [typed, setTyped] = useState<Typed>(EMPTY);
  const field = (key: keyof Typed) => ({
    id: `history-${key}`,
    name: key,
    value: typed[key],
    "data-testid": `history-filter-${key}`,
    onInput: (event: { currentTarget: { value: string } }) => {
      const { value } = event.currentTarget;
      setTyped((previous) => ({ ...previous, [key]: value }));
    },
  });
  return (
    <form
      class="history-filters"
      aria-label={t("historyFilterLabel")}
      onSubmit={(event) => {
        event.preventDefault();
        onApply(filterOf(typed));
      }}
    >
      <label for="history-from">{t("historyFilterFrom")}</label>
      <input type="date" max={typed.to || undefined} {...field("from")} />
      <label for="history-to">{t("historyFilterTo")}</label>
      <input type="date" min={typed.from || undefined} {...field("to")} />
      <label for="history-actor">{t("historyFilterActor")}</label>
      <input
        maxLength={MAX_NAME_LENGTH}
        autoComplete="off"
        placeholder={t("historyFilterNamePlaceholder")}
        {...field("actor")}
      />
      <label for="history-grantee">{t("historyFilterGrantee")}</label>
      <input
        maxLength={MAX_NAME_LENGTH}
        autoComplete="off"
        placeholder={t("historyFilterNamePlaceholder")}
        {...field("grantee")}
      />
      <label for="history-action">{t("historyFilterAction")}</label>
      <select {...field("action")}>
        <option value="">{t("historyFilterAnyAction")}</option>
        {HISTORY_ACTIONS.map((action) => (
          <option key={action} value={action}>
            {action}
          </option>
        ))}
      </select>
      <button type="submit" class="button button--primary button--small" data-testid="history-filter-apply">
        {t("historyFilterApply")}
      </button>
      <button
        type="button"
        class="button button--link"
        data-testid="history-filter-clear"
        onClick={() => {
          setTyped(EMPTY);
          onApply({});
        }}
      >
        {t("historyFilterClear")}
      </button>
    </form>
  );
}
