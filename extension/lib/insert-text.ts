/** `text` in place of value[start, end) (an input's selection, in UTF-16 units); the caret goes right after it. */
export function insertAtSelection(
  value: string,
  start: number | null,
  end: number | null,
  text: string,
): { value: string; caret: number } {
  const from = clamp(start ?? value.length, value.length);
  const to = Math.max(from, clamp(end ?? from, value.length));
  return { value: value.slice(0, from) + text + value.slice(to), caret: from + text.length };
}

const clamp = (n: number, max: number) => Math.min(Math.max(0, n), max);
