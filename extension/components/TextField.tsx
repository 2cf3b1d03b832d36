import type { ComponentChildren, Ref } from "preact";
import type { FieldState } from "../lib/use-field.js";
import { Field } from "./Field.js";

interface TextFieldProps {
  /** Used as both `id` and `name` (stable, for tests and autofill). */
  id: string;
  label: string;
  field: FieldState;
  type?: "text" | "password" | "tel" | "date";
  placeholder?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "text" | "tel";
  maxLength?: number;
  /** For dates: the earliest and latest choosable (YYYY-MM-DD). */
  min?: string | null;
  max?: string | null;
  readOnly?: boolean;
  hint?: ComponentChildren;
  /** Shown right of the input (a button, an icon). */
  addon?: ComponentChildren;
  /** The <input> element, for addons that work on it (e.g. insert at the cursor). */
  inputRef?: Ref<HTMLInputElement>;
  onKeyDown?(event: KeyboardEvent): void;
}

export function TextField(props: TextFieldProps) {
  const { id, field } = props;
  return (
    <Field id={id} label={props.label} error={field.error} hint={props.hint}>
      <div class="input-row">
        <input
          ref={props.inputRef}
          id={id}
          name={id}
          type={props.type ?? "text"}
          value={field.value}
          placeholder={props.placeholder}
          autoComplete={props.autoComplete ?? "off"}
          inputMode={props.inputMode}
          maxLength={props.maxLength}
          min={props.min ?? undefined}
          max={props.max ?? undefined}
          readOnly={props.readOnly}
          aria-invalid={field.error ? true : undefined}
          aria-describedby={field.error ? `${id}-error` : undefined}
          onInput={(event) => field.set(event.currentTarget.value)}
          onBlur={() => field.touch()}
          onKeyDown={props.onKeyDown}
        />
        {props.addon}
      </div>
    </Field>
  );
}
