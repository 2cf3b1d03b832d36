/** A small keyboard glyph for the soft-keyboard toggle. */
export function KeyboardIcon() {
  return (
    <svg width="20" height="14" viewBox="0 0 20 14" aria-hidden="true" focusable="false">
      <rect x="0.5" y="0.5" width="19" height="13" rx="2" fill="none" stroke="currentColor" />
      <path
        d="M3 3h2v2H3zM6 3h2v2H6zM9 3h2v2H9zM12 3h2v2h-2zM15 3h2v2h-2zM3 6h2v2H3zM6 6h2v2H6zM9 6h2v2H9zM12 6h2v2h-2zM15 6h2v2h-2zM5 9.5h10v1.5H5z"
        fill="currentColor"
      />
    </svg>
  );
}
