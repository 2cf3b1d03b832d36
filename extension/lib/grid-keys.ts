/**
 * Arrow keys between the buttons of a picker grid (the 生僻字 dialog's radicals, stroke counts and
 * characters) or a row of tabs (a unit's tabs): ←/→ the previous/next button, ↑/↓ the nearest button in the row above/below (by
 * position, so wrapped rows and grouped rows both work), Home/End the first/last. Enter and Space
 * stay the buttons' own. Returns true when it moved focus (the caller then prevents the default).
 */
export function moveGridFocus(container: HTMLElement, event: KeyboardEvent): boolean {
  const items = [...container.querySelectorAll<HTMLElement>("[data-grid-item]")];
  const current = items.indexOf(event.target as HTMLElement);
  if (current < 0 || items.length === 0) return false;
  const target = nextItem(items, current, event.key);
  if (!target || target === items[current]) return false;
  target.focus();
  target.scrollIntoView({ block: "nearest" });
  return true;
}

function nextItem(items: HTMLElement[], current: number, key: string): HTMLElement | undefined {
  switch (key) {
    case "ArrowLeft":
      return items[Math.max(0, current - 1)];
    case "ArrowRight":
      return items[Math.min(items.length - 1, current + 1)];
    case "Home":
      return items[0];
    case "End":
      return items[items.length - 1];
    case "ArrowUp":
    case "ArrowDown":
      return verticalNeighbour(items, items[current]!, key === "ArrowDown" ? 1 : -1);
    default:
      return undefined;
  }
}

/** The button in the nearest row above (-1) or below (1), closest horizontally. */
function verticalNeighbour(items: HTMLElement[], from: HTMLElement, direction: 1 | -1): HTMLElement | undefined {
  const origin = from.getBoundingClientRect();
  const centre = (r: DOMRect) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
  const o = centre(origin);
  let best: { item: HTMLElement; dy: number; dx: number } | undefined;
  for (const item of items) {
    const c = centre(item.getBoundingClientRect());
    const dy = (c.y - o.y) * direction;
    if (dy < origin.height / 2) continue;
    const dx = Math.abs(c.x - o.x);
    if (!best || dy < best.dy - 1 || (Math.abs(dy - best.dy) <= 1 && dx < best.dx)) best = { item, dy, dx };
  }
  return best?.item;
}
