import "./Field.css";
import type { ComponentChildren } from "preact";

interface FieldProps {
  id: string;
  label: string;
  error?: string | null;
  hint?: ComponentChildren;
  children: ComponentChildren;
}

/** A label, its control, an optional hint and the error under it (in red). */
export function Field({ id, label, error, hint, children }: FieldProps) {
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label class="field-label" for={id}>
        {label}
      </label>
      <div class="field-control">
        {children}
        {hint}
        {error ? (
          <p class="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
