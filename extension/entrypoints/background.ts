/**
 * The background service worker: while a session token is stored, it keeps the event socket open,
 * tells the person when a unit grants, changes or ends their 办税权限 (a browser notification), warns
 * a unit's managers when wrong 申报密码 tries pile up there, and when they close its password path
 * (申报密码异常; clicking the notice opens the unit on the 企业办税权限 page), tells the person when wrong
 * passwords locked their account (with the way out), and keeps the toolbar badge at the number of
 * grants ending within 7 days. Of 申请授权 it tells a unit's managers of a new request (a click opens
 * the unit) and the requester of a decline (an approval comes as the grant's own notice).
 */
import { browser } from "wxt/browser";
import { defineBackground } from "wxt/utils/define-background";
import { shanghaiDateTimeText } from "../../shared/dates.js";
import { companion } from "../lib/companion-client.js";
import {
  type AccountLockedEvent,
  connectEvents,
  type EventConnection,
  type GrantChangedEvent,
  type GrantRequestChangedEvent,
  type UnitAlertEvent,
} from "../lib/events.js";
import { type MessageKey, t } from "../lib/i18n.js";
import { getSessionToken, onSessionTokenChange } from "../lib/session-token.js";
import { openManage } from "../lib/tabs.js";

const BADGE_ALARM = "refresh-badge";
const BADGE_PERIOD_MINUTES = 30;
const KEEP_ALIVE_MS = 20_000;

/** What the grantee is told; their own 解除授权 and 删除, and a manager's 复核保留, need no notice. */
const NOTICES: Partial<Record<GrantChangedEvent["change"], MessageKey>> = {
  added: "notifyGrantAdded",
  changed: "notifyGrantChanged",
  revoked: "notifyGrantRevoked",
};

function notify(event: GrantChangedEvent): void {
  const key = NOTICES[event.change];
  if (!key) return;
  void browser.notifications.create(`grant-${event.grantId}-${Date.now()}`, {
    type: "basic",
    iconUrl: browser.runtime.getURL("/icon/128.png"),
    title: t("notifyTitle"),
    message: t(key, event.unitName),
  });
}

/** Notification ids of unit alerts and new requests carry the unit, so a click can open it. */
const UNIT_ALERT_PREFIX = "unit-alert|";
const GRANT_REQUEST_PREFIX = "grant-request|";

function notifyGrantRequest(event: GrantRequestChangedEvent): void {
  const asked = !event.forRequester && event.change === "asked";
  if (!asked && !(event.forRequester && event.change === "declined")) return;
  // A manager's notice opens the unit; the requester's opens nothing (the popup lists their requests).
  const id = asked ? `${GRANT_REQUEST_PREFIX}${event.unitTin}|${Date.now()}` : `request-${event.requestId}`;
  void browser.notifications.create(id, {
    type: "basic",
    iconUrl: browser.runtime.getURL("/icon/128.png"),
    title: t("notifyTitle"),
    message: t(asked ? "notifyRequestAsked" : "notifyRequestDeclined", event.unitName),
  });
}

function notifyUnitAlert(event: UnitAlertEvent): void {
  void browser.notifications.create(`${UNIT_ALERT_PREFIX}${event.unitTin}|${Date.now()}`, {
    type: "basic",
    iconUrl: browser.runtime.getURL("/icon/128.png"),
    title: t("notifyUnitAlertTitle"),
    message: event.closedUntil
      ? t(
          "notifyUnitClosed",
          event.unitName,
          event.windowMinutes,
          event.failures,
          shanghaiDateTimeText(Date.parse(event.closedUntil)),
        )
      : t("notifyUnitAlert", event.unitName, event.windowMinutes, event.failures),
    priority: 2,
  });
}

function notifyAccountLocked(event: AccountLockedEvent): void {
  void browser.notifications.create(`account-locked-${Date.now()}`, {
    type: "basic",
    iconUrl: browser.runtime.getURL("/icon/128.png"),
    title: t("accountLockedTitle"),
    message: t("accountLockedNotice", shanghaiDateTimeText(Date.parse(event.lockedUntil))),
    priority: 2,
  });
}

async function setBadge(endingSoon: number): Promise<void> {
  await browser.action.setBadgeText({ text: endingSoon > 0 ? String(endingSoon) : "" });
  await browser.action.setTitle({ title: endingSoon > 0 ? t("badgeTitle", endingSoon) : t("extName") });
}

async function refreshBadge(): Promise<void> {
  try {
    const { endingSoon } = await companion.myGrants();
    await setBadge(endingSoon);
  } catch {
    // Companion down: keep the last count. An expired session clears the token, and so the badge.
  }
}

export default defineBackground(() => {
  let connection: EventConnection | null = null;

  const follow = (token: string | null) => {
    connection?.close();
    connection = null;
    if (!token) {
      void setBadge(0);
      return;
    }
    void refreshBadge();
    connection = connectEvents(
      {
        onGrantChanged: (event) => {
          if (event.forGrantee) notify(event);
          void refreshBadge();
        },
        onGrantRequestChanged: notifyGrantRequest,
        onUnitAlert: notifyUnitAlert,
        onAccountLocked: notifyAccountLocked,
        onReady: (reconnected) => {
          if (reconnected) void refreshBadge();
        },
      },
      { keepAliveMs: KEEP_ALIVE_MS },
    );
  };

  void browser.action.setBadgeBackgroundColor({ color: "#d93026" });
  onSessionTokenChange(follow);
  browser.notifications.onClicked.addListener((id: string) => {
    const prefix = [UNIT_ALERT_PREFIX, GRANT_REQUEST_PREFIX].find((known) => id.startsWith(known));
    if (!prefix) return;
    openManage(id.slice(prefix.length).split("|")[0]);
    void browser.notifications.clear(id);
  });
  // (browser.alarms comes untyped through wxt/browser here: say what we rely on.)
  browser.alarms.onAlarm.addListener((alarm: { name: string }) => {
    if (alarm.name === BADGE_ALARM) void refreshBadge();
  });
  void browser.alarms.get(BADGE_ALARM).then((alarm: { name: string } | undefined) => {
    if (!alarm) void browser.alarms.create(BADGE_ALARM, { periodInMinutes: BADGE_PERIOD_MINUTES });
  });
  void getSessionToken().then(follow);
});
