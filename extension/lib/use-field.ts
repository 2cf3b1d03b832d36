import { useState } from "preact/hooks";

export interface FieldState {
  value: string;
  /** The rule this value breaks now (from the shared validators), shown once the field is touched. */
  problem: string | null;
  /** What to show under the field: a refusal from the companion, else the live problem once touched. */
  error: string | null;
  set(value: string | ((previous: string) => string)): void;
  touch(): void;
  fail(message: string): void;
  /** Back to a fresh, untouched field (after a refused try, before the next one). */
  reset(value?: string): void;
}

/** One form field's value, with live feedback from `check` (one of the shared validators). */
export function useField(initial = "", check?: (value: string) => string | null): FieldState {
  const [value, setValue] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const problem = check ? check(value) : null;
  return {
    value,
    problem,
    error: serverError ?? (touched ? problem : null),
    set(next) {
      setValue(next);
      setServerError(null);
    },
    touch: () => setTouched(true),
    fail: (message) => {
      setTouched(true);
      setServerError(message);
    },
    reset: (next = "") => {
      setValue(next);
      setTouched(false);
      setServerError(null);
    },
  };
}

/** Touches every field; true when none of them breaks a rule. */
export function validateAll(fields: FieldState[]): boolean {
  for (const field of fields) field.touch();
  return fields.every((field) => field.problem === null);
}

/** Puts a VALIDATION_FAILED refusal's messages under the matching fields; false if none matched. */
export function applyFieldErrors(fields: Record<string, FieldState>, errors: Record<string, string>): boolean {
  let matched = false;
  for (const [name, message] of Object.entries(errors)) {
    const field = fields[name];
    if (field) {
      field.fail(message);
      matched = true;
    }
  }
  return matched;
}
