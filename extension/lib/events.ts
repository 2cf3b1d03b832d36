/**
 * The companion's event socket (/api/events): authenticates with the session token, hands on
 * grant-changed, grant-request-changed, unit-alert and account-locked events and reconnects with backoff when it drops. One implementation for the
 * popup, the manage page and the background service worker.
 */
import { type ServerEvent, serverEventSchema } from "../../shared/api/grants.js";
import { askNow, onCompanionStatus, reportAnswered } from "./companion-status.js";
import { clearSessionToken, getSessionToken } from "./session-token.js";
import { getCompanionUrl } from "./settings.js";

export type GrantChangedEvent = Extract<ServerEvent, { type: "grant-changed" }>;
export type GrantRequestChangedEvent = Extract<ServerEvent, { type: "grant-request-changed" }>;
export type UnitAlertEvent = Extract<ServerEvent, { type: "unit-alert" }>;
export type AccountLockedEvent = Extract<ServerEvent, { type: "account-locked" }>;

export interface EventHandlers {
  onGrantChanged?(event: GrantChangedEvent): void;
  /** A 申请授权 the person made, or one to a unit they manage, was made or decided. */
  onGrantRequestChanged?(event: GrantRequestChangedEvent): void;
  /** Many wrong 申报密码 tries at a unit the person is 法定代表人 or 财务负责人 of. */
  onUnitAlert?(event: UnitAlertEvent): void;
  /** Wrong passwords locked the person's account (someone may be trying it). */
  onAccountLocked?(event: AccountLockedEvent): void;
  /**
   * The socket is authenticated. `reconnected`: it had been ready before and dropped, so events
   * may have been missed — refetch what is on screen.
   */
  onReady?(reconnected: boolean): void;
  /** The companion ended the session (logout, expiry): the token is gone, no reconnecting. */
  onSessionEnded?(): void;
}

export interface EventOptions {
  /**
   * Send a small message this often while ready. An MV3 service worker is stopped after 30 s
   * without events; WebSocket traffic counts, so the background sends one every 20 s. The companion
   * ignores anything after the auth message.
   */
  keepAliveMs?: number;
}

export interface EventConnection {
  close(): void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** ws://host:port/api/events for the configured companion address (http://…). */
export function eventsUrl(companionUrl: string): string {
  const url = new URL("/api/events", companionUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/**
 * Opens the socket now (if a session token is stored) and keeps it open until `close()`.
 * Without a token it does nothing: callers connect again when the token changes.
 */
export function connectEvents(handlers: EventHandlers, options: EventOptions = {}): EventConnection {
  let closed = false;
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let keepAliveTimer: ReturnType<typeof setInterval> | null = null;
  let failures = 0;
  let everReady = false;

  const stopKeepAlive = () => {
    if (keepAliveTimer !== null) clearInterval(keepAliveTimer);
    keepAliveTimer = null;
  };

  const stop = () => {
    closed = true;
    stopWatching();
    stopKeepAlive();
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    socket?.close();
    socket = null;
  };

  const scheduleRetry = () => {
    if (closed || retryTimer !== null) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
    failures += 1;
    // A little jitter, so the popup, the pages and the background don't knock in step.
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        void open();
      },
      delay * (0.8 + Math.random() * 0.4),
    );
  };

  const endSession = () => {
    stop();
    void clearSessionToken();
    handlers.onSessionEnded?.();
  };

  const onMessage = (data: unknown) => {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return;
    }
    const parsed = serverEventSchema.safeParse(json);
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.type) {
      case "ready":
        failures = 0;
        if (options.keepAliveMs && keepAliveTimer === null) {
          keepAliveTimer = setInterval(() => socket?.send(JSON.stringify({ type: "ping" })), options.keepAliveMs);
        }
        handlers.onReady?.(everReady);
        everReady = true;
        break;
      case "grant-changed":
        handlers.onGrantChanged?.(event);
        break;
      case "grant-request-changed":
        handlers.onGrantRequestChanged?.(event);
        break;
      case "unit-alert":
        handlers.onUnitAlert?.(event);
        break;
      case "account-locked":
        handlers.onAccountLocked?.(event);
        break;
      case "session-ended":
        endSession();
        break;
      case "error":
        // A token the companion no longer knows: retrying would only knock again.
        if (event.code === "UNAUTHENTICATED") endSession();
        break;
    }
  };

  // The page's watch found the companion back: connect now rather than at the end of the backoff.
  const stopWatching = onCompanionStatus((status) => {
    if (!status.reachable || retryTimer === null) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    failures = 0;
    void open();
  });

  async function open(): Promise<void> {
    if (closed) return;
    const [token, baseUrl] = await Promise.all([getSessionToken(), getCompanionUrl()]);
    if (closed || !token) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(eventsUrl(baseUrl));
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      reportAnswered();
      ws.send(JSON.stringify({ type: "auth", token }));
    };
    ws.onmessage = (message) => onMessage(message.data);
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      stopKeepAlive();
      // Most often the companion stopped: the page's watch asks at once, rather than at its next beat.
      askNow();
      scheduleRetry();
    };
  }

  void open();
  return { close: stop };
}
