import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { SearchBar } from "../../components/SearchBar.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";

/** 企业办税权限 · 单位列表: the person's units a page at a time, searched on the companion by 企业名称 or 纳税人识别号. */
export function UnitList({ version, onOpen }: { version: number; onOpen(tin: string): void }) {
  const [query, setQuery] = useState("");
  const units = usePages((page, signal) => companion.managedUnits({ ...page, q: query }, signal), [query, version]);

  return (
    <section data-testid="unit-list-screen">
      <SearchBar
        id="unitQuery"
        label={t("unitQueryLabel")}
        placeholder={t("unitQueryPlaceholder")}
        testId="unit-search"
        onSearch={setQuery}
      />
      <LoadError error={units.error} onRetry={units.reload} />
      {units.last === null && units.loading ? <p class="muted">{t("loadingData")}</p> : null}
      {units.last && units.items.length === 0 ? (
        <p class="empty" data-testid="unit-list-empty">
          {query ? t("unitListNoMatch", query) : t("unitListEmpty")}
        </p>
      ) : null}
      {units.items.length > 0 ? (
        <table class="table" data-testid="unit-list">
          <thead>
            <tr>
              <th>{t("colUnitName")}</th>
              <th>{t("colTin")}</th>
              <th>{t("colMyRoles")}</th>
              <th class="num">{t("colGrantCount")}</th>
              <th class="num">{t("colReviewCount")}</th>
              <th>{t("colActions")}</th>
            </tr>
          </thead>
          <tbody>
            {units.items.map((unit) => (
              <tr key={unit.tin} data-testid="unit-row" data-tin={unit.tin}>
                <td>
                  <button type="button" class="button button--link" onClick={() => onOpen(unit.tin)}>
                    {unit.name}
                  </button>
                </td>
                <td class="mono">{unit.tin}</td>
                <td>{unit.roles.join("、")}</td>
                <td class="num">{unit.grantCount}</td>
                <td class="num">
                  {unit.reviewCount > 0 ? (
                    <span class="badge badge--warn" data-testid="unit-review-count">
                      {unit.reviewCount}
                    </span>
                  ) : (
                    <span class="muted">0</span>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    data-testid="unit-open"
                    onClick={() => onOpen(unit.tin)}
                  >
                    {t("unitOpen")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <MoreRows pages={units} testId="unit-list-more" />
    </section>
  );
}
