import "./Dialog.css";
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Portal } from "./Portal.js";

interface DialogProps {
  title: string;
  testId: string;
  onClose(): void;
  /** Wider than the default, for pickers. */
  wide?: boolean;
  children: ComponentChildren;
}

/**
 * A modal <dialog>: focus stays inside, Esc closes it (through onClose, so state stays the truth).
 * Rendered at the end of <body>, outside the page's content: a page disabled while the companion
 * is away (PageShell) still lets its dialog be cancelled.
 */
export function Dialog({ title, testId, onClose, wide, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <Portal>
      <dialog
        ref={ref}
        class={wide ? "dialog dialog--wide" : "dialog"}
        data-testid={testId}
        aria-labelledby={`${testId}-title`}
        onCancel={(event) => {
          event.preventDefault();
          onClose();
        }}
      >
        <h2 class="dialog-title" id={`${testId}-title`}>
          {title}
        </h2>
        {children}
      </dialog>
    </Portal>
  );
}
