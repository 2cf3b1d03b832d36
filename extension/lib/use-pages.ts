import { useEffect, useRef, useState } from "preact/hooks";
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, type Page } from "../../shared/api/paging.js";

export interface PageLoad {
  cursor?: string;
  limit: number;
}

export interface Pages<P extends Page<unknown>> {
  /** Every row loaded so far, in the list's order. */
  items: P["items"];
  /** The latest page as answered (its total and any fields beside the rows). */
  last: P | null;
  error: unknown;
  loading: boolean;
  /** Another page follows the rows loaded. */
  hasMore: boolean;
  loadMore(): void;
  /** Loads again from the top (after an action, or 重试 after a failure). */
  reload(): void;
}

/**
 * A list read from the companion a page at a time: the first page now and whenever a dependency
 * changes (a search, a live event), the next on loadMore(). A reload asks for as many rows as are
 * shown, so a live refresh keeps what the person scrolled to. Requests of a view that went away,
 * or of a search replaced by a newer one, are cancelled.
 */
export function usePages<P extends Page<unknown>>(
  load: (page: PageLoad, signal: AbortSignal) => Promise<P>,
  deps: unknown[],
): Pages<P> {
  const [state, setState] = useState<{ items: P["items"]; last: P | null; error: unknown; loading: boolean }>({
    items: [],
    last: null,
    error: null,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const running = useRef<AbortController | null>(null);
  const shown = useRef(0);
  shown.current = state.items.length;

  const run = (page: PageLoad, append: boolean) => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setState((previous) => ({ ...previous, loading: true }));
    load(page, controller.signal).then(
      (answer) => {
        if (controller.signal.aborted) return;
        setState((previous) => ({
          items: append ? [...previous.items, ...answer.items] : answer.items,
          last: answer,
          error: null,
          loading: false,
        }));
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
  };

  useEffect(() => {
    run({ limit: Math.min(Math.max(shown.current, PAGE_SIZE_DEFAULT), PAGE_SIZE_MAX) }, false);
    return () => running.current?.abort();
  }, [...deps, generation]);

  const cursor = state.last?.nextCursor ?? null;
  return {
    ...state,
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor !== null && !state.loading) run({ cursor, limit: PAGE_SIZE_DEFAULT }, true);
    },
    reload: () => setGeneration((n) => n + 1),
  };
}
