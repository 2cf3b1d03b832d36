import { useState } from "preact/hooks";
import { checkGrantTerm, PERMISSIONS, type Permission, TERM_TYPES, type TermType } from "../../shared/api/grants.js";
import { calendarDateSchema } from "../../shared/dates.js";
import { checkWith } from "../lib/check-with.js";
import { t } from "../lib/i18n.js";
import { type FieldState, useField } from "../lib/use-field.js";
import { RadioGroup } from "./RadioGroup.js";
import { TextField } from "./TextField.js";

export interface Term {
  permission: Permission;
  termType: TermType;
  startDate: string;
  endDate: string | null;
}

export interface TermState {
  permission: Permission;
  setPermission(permission: Permission): void;
  termType: TermType;
  setTermType(termType: TermType): void;
  startDate: FieldState;
  endDate: FieldState;
  /** The viewer's own last date as a 管理权限 holder with a 定期 grant: no 长期, nothing beyond it. */
  limit: string | null;
  /** The fields to check before sending (授权期限止 only for 定期). */
  fields(): FieldState[];
  values(): Term;
}

const checkDate = checkWith(calendarDateSchema);

/** 权限类型 and 授权期限 (长期: 起; 定期: 起 and 止), checked live by the shared checkGrantTerm. */
export function useTermFields(initial: Term, limit: string | null): TermState {
  const [permission, setPermission] = useState(initial.permission);
  const [termType, setTermType] = useState<TermType>(limit ? "定期" : initial.termType);
  const startDate = useField(initial.startDate, (v) => (v ? checkDate(v) : t("termStartRequired")));
  const endDate = useField(
    initial.endDate ?? (limit && initial.termType === "长期" ? limit : ""),
    (v) =>
      checkGrantTerm({ termType, startDate: startDate.value, endDate: v || null })?.message ??
      (v ? checkDate(v) : null),
  );
  return {
    permission,
    setPermission,
    termType,
    setTermType,
    startDate,
    endDate,
    limit,
    fields: () => (termType === "定期" ? [startDate, endDate] : [startDate]),
    values: () => ({
      permission,
      termType,
      startDate: startDate.value,
      endDate: termType === "定期" ? endDate.value : null,
    }),
  };
}

const PERMISSION_HINT: Record<Permission, "permissionHintFile" | "permissionHintManage"> = {
  办税权限: "permissionHintFile",
  管理权限: "permissionHintManage",
};

/** The term fields; `prefix` keeps ids unique when the 新增授权 form and the 变更 dialog are both on the page. */
export function TermFields({ term, prefix = "" }: { term: TermState; prefix?: string }) {
  return (
    <>
      <RadioGroup
        name={`${prefix}permission`}
        label={t("fieldPermission")}
        options={PERMISSIONS.map((value) => ({ value, label: value }))}
        value={term.permission}
        onChange={term.setPermission}
        hint={t(PERMISSION_HINT[term.permission])}
      />
      <RadioGroup
        name={`${prefix}termType`}
        label={t("fieldTermType")}
        options={TERM_TYPES.map((value) => ({
          value,
          label: value,
          disabled: value === "长期" && term.limit !== null,
        }))}
        value={term.termType}
        onChange={term.setTermType}
        hint={term.limit ? t("termLimitNote", term.limit) : t("termTypeHint")}
      />
      <TextField
        id={`${prefix}startDate`}
        type="date"
        label={t("fieldStartDate")}
        field={term.startDate}
        max={term.limit}
      />
      {term.termType === "定期" ? (
        <TextField
          id={`${prefix}endDate`}
          type="date"
          label={t("fieldEndDate")}
          field={term.endDate}
          min={term.startDate.value || null}
          max={term.limit}
        />
      ) : null}
    </>
  );
}
