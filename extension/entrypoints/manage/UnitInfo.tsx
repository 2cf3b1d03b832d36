import type { UnitDetailResponse } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";

/** The unit as tax registration knows it, and who the viewer is there. */
export function UnitInfo({ detail }: { detail: UnitDetailResponse }) {
  const { unit, roles, grantLimit } = detail;
  return (
    <dl class="unit-info" data-testid="unit-info">
      <dt>{t("colTin")}</dt>
      <dd class="mono" data-testid="unit-tin">
        {unit.tin}
      </dd>
      <dt>{t("colUnitName")}</dt>
      <dd data-testid="unit-name">{unit.name}</dd>
      <dt>{t("unitDepartments")}</dt>
      <dd>{unit.departments.length > 0 ? unit.departments.join("、") : "—"}</dd>
      <dt>{t("unitDepartmentFiling")}</dt>
      <dd>{unit.departmentFiling}</dd>
      <dt>{t("unitComprehensiveIncome")}</dt>
      <dd>{unit.comprehensiveIncome}</dd>
      <dt>{t("unitBusinessIncome")}</dt>
      <dd>{unit.businessIncome || "—"}</dd>
      <dt>{t("colMyRoles")}</dt>
      <dd data-testid="unit-my-roles">
        {roles.join("、")}
        {grantLimit ? (
          <span class="muted grant-limit" data-testid="grant-limit">
            {grantLimit.endDate ? t("grantLimitUntil", grantLimit.endDate) : t("grantLimitLong")}
          </span>
        ) : null}
      </dd>
    </dl>
  );
}
