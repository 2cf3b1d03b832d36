import "./RareCharButton.css";
import type { RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../lib/i18n.js";
import { insertAtSelection } from "../lib/insert-text.js";
import type { FieldState } from "../lib/use-field.js";
import { RareCharDialog } from "./RareCharDialog.js";

interface RareCharButtonProps {
  /** The name input the character goes into. */
  input: RefObject<HTMLInputElement>;
  field: FieldState;
}

/**
 * 【录入生僻字】 beside a name field: opens the picker, inserts the chosen character where the
 * cursor was (replacing a selection), and gives the focus back to the input, caret after it.
 */
export function RareCharButton({ input, field }: RareCharButtonProps) {
  const [open, setOpen] = useState(false);
  const selection = useRef({ start: 0, end: 0 });
  // Where the caret goes once the dialog has closed (the dialog gives the focus to this button first).
  const caret = useRef<{ start: number; end: number } | null>(null);

  // A layout effect, so the focus is back in the same task that removes the dialog: a plain effect
  // waits for the next frame, and a keystroke in between went nowhere.
  useLayoutEffect(() => {
    const element = input.current;
    const restore = caret.current;
    if (open || !element || !restore) return;
    caret.current = null;
    element.focus();
    element.setSelectionRange(restore.start, restore.end);
  }, [open]);

  const show = () => {
    const element = input.current;
    const end = field.value.length;
    selection.current = { start: element?.selectionStart ?? end, end: element?.selectionEnd ?? end };
    setOpen(true);
  };
  const close = () => {
    caret.current = selection.current;
    setOpen(false);
  };
  const insert = (char: string) => {
    const next = insertAtSelection(field.value, selection.current.start, selection.current.end, char);
    field.set(next.value);
    caret.current = { start: next.caret, end: next.caret };
    setOpen(false);
  };

  return (
    <>
      <button type="button" class="button button--link rare-open" data-testid="rare-char-open" onClick={show}>
        {t("rareCharOpen")}
      </button>
      {open ? <RareCharDialog onConfirm={insert} onClose={close} /> : null}
    </>
  );
}
