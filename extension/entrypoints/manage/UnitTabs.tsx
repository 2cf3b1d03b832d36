import { moveGridFocus } from "../../lib/grid-keys.js";

interface UnitTabsProps<T extends string> {
  tabs: ReadonlyArray<{ id: T; label: string }>;
  current: T;
  /** The one panel the tabs show their content in. */
  panelId: string;
  onChoose(id: T): void;
}

/** The element id of a unit tab (the panel is labelled by the current one). */
export const unitTabId = (id: string) => `unit-tab-${id}`;

/**
 * A unit's tabs (已授权, 待审批, 新增授权, 变更记录) as a tablist: Tab reaches the current one, ←/→, Home and
 * End move between them and open the one reached.
 */
export function UnitTabs<T extends string>({ tabs, current, panelId, onChoose }: UnitTabsProps<T>) {
  return (
    <div
      class="tab-list"
      role="tablist"
      onKeyDown={(event) => {
        if (moveGridFocus(event.currentTarget, event)) event.preventDefault();
      }}
    >
      {tabs.map(({ id, label }) => (
        <button
          type="button"
          key={id}
          role="tab"
          id={unitTabId(id)}
          class={id === current ? "tab tab--active" : "tab"}
          aria-selected={id === current}
          aria-controls={panelId}
          tabIndex={id === current ? 0 : -1}
          data-grid-item
          data-testid={`tab-${id}`}
          onClick={() => onChoose(id)}
          // Reached by an arrow key: opened at once (the focus moves before the selection does).
          onFocus={() => {
            if (id !== current) onChoose(id);
          }}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
