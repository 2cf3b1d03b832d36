import "./RadioGroup.css";

interface RadioGroupProps<T extends string> {
  /** Used as the inputs' name and the group's id (stable, for tests). */
  name: string;
  label: string;
  options: ReadonlyArray<{ value: T; label: string; disabled?: boolean }>;
  value: T;
  onChange(value: T): void;
  hint?: string | null;
}

/** A labelled row of radio buttons, laid out like a Field. */
export function RadioGroup<T extends string>({ name, label, options, value, onChange, hint }: RadioGroupProps<T>) {
  return (
    <div class="field" role="radiogroup" aria-labelledby={`${name}-label`} id={name}>
      <span class="field-label" id={`${name}-label`}>
        {label}
      </span>
      <div class="field-control">
        <div class="radio-row">
          {options.map((option) => (
            <label key={option.value} class={option.disabled ? "radio radio--disabled" : "radio"}>
              <input
                type="radio"
                name={name}
                value={option.value}
                checked={value === option.value}
                disabled={option.disabled}
                onChange={() => onChange(option.value)}
              />
              {option.label}
            </label>
          ))}
        </div>
        {hint ? <p class="field-hint">{hint}</p> : null}
      </div>
    </div>
  );
}
