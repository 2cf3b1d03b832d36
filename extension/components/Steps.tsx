import "./Steps.css";
/** The step indicator of a multi-step page (1 阅读协议 → 2 … ). */
export function Steps({ steps, current }: { steps: string[]; current: number }) {
  return (
    <ol class="steps">
      {steps.map((label, index) => (
        <li
          key={label}
          class={index === current ? "step step--current" : index < current ? "step step--done" : "step"}
          aria-current={index === current ? "step" : undefined}
        >
          <span class="step-number">{index + 1}</span>
          {label}
        </li>
      ))}
    </ol>
  );
}
