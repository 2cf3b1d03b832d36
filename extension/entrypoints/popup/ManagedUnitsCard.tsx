import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { openManage } from "../../lib/tabs.js";
import { useGrantEvents } from "../../lib/use-grant-events.js";
import { usePages } from "../../lib/use-pages.js";

/** Units listed in the card; the rest are a click away in the full page. */
const CARD_UNITS = 3;

/**
 * 企业办税权限 for a legal rep, finance manager or 管理权限 holder: their units first in the popup,
 * with the counts that ask for action, each opening the manage page on that unit. Nothing for a
 * person who manages no unit.
 */
export function ManagedUnitsCard() {
  const [version, setVersion] = useState(0);
  const units = usePages((page, signal) => companion.managedUnits({ ...page, limit: CARD_UNITS }, signal), [version]);
  useGrantEvents(() => setVersion((n) => n + 1));

  const total = units.last?.total ?? 0;
  if (units.error) return <LoadError error={units.error} onRetry={units.reload} testId="managed-units-error" />;
  if (total === 0) return null;
  return (
    <section class="popup-section managed-units" data-testid="managed-units">
      <div class="popup-section-head">
        <h2 class="popup-section-title">{t("managedUnitsTitle", total)}</h2>
        <button type="button" class="button button--link" data-testid="open-manage" onClick={() => openManage()}>
          {t("openManage")}
        </button>
      </div>
      <ul class="plain-list">
        {units.items.map((unit) => (
          <li key={unit.tin} class="managed-unit">
            <button
              type="button"
              class="managed-unit-open"
              data-testid="managed-unit"
              data-tin={unit.tin}
              onClick={() => openManage(unit.tin)}
            >
              <span class="managed-unit-name">{unit.name}</span>
              <span class="muted small">
                {unit.roles.join("、")} · {t("managedUnitGrants", unit.grantCount)}
                {unit.reviewCount > 0 ? (
                  <span class="managed-unit-review">{t("managedUnitReview", unit.reviewCount)}</span>
                ) : null}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {total > units.items.length ? (
        <p class="muted small" data-testid="managed-units-more">
          {t("managedUnitsMore", total)}
        </p>
      ) : null}
    </section>
  );
}
