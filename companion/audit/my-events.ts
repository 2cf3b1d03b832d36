import type { MyEvent } from "../../shared/api/grants.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import { QR_CLIENT_KIND_LABELS } from "../../shared/qr-login/contract.js";
import type { LoginEntry, LoginHistoryStore } from "../accounts/login-history.js";
import { LIST_START, type ListReader, readPage, type SortKey } from "../db/paging.js";
import type { AuditLog } from "./audit-log.js";
import type { PersonAuditRow } from "./audit-store.js";

export interface MyEventsDeps {
  audit: Pick<AuditLog, "ofPerson">;
  logins: Pick<LoginHistoryStore, "ofPerson">;
}

/**
 * An event's key in the merged list: its time, then `L:<login id>` or `A:<seq>` (zero-padded, so
 * that text order is number order). Each source is read after its own key for the cursor: at the
 * cursor's very millisecond, every history key ("A:") sorts before every login key ("L:").
 */
const auditKey = (seq: number) => `A:${String(seq).padStart(16, "0")}`;

function loginBound(after: SortKey | null): SortKey | null {
  if (after === null) return null;
  const [at, key] = after as [number, string];
  return [at, key.startsWith("L:") ? key.slice(2) : LIST_START.string];
}

function auditBound(after: SortKey | null): SortKey | null {
  if (after === null) return null;
  const [at, key] = after as [number, string];
  return [at, key.startsWith("A:") ? Number(key.slice(2)) : LIST_START.newest];
}

const loginEvent = (login: LoginEntry): MyEvent => ({
  id: `L:${login.id}`,
  at: new Date(login.at).toISOString(),
  kind: "登录",
  action: login.method === "qr" ? "扫码登录" : "密码登录",
  unit: null,
  detail: `${QR_CLIENT_KIND_LABELS[login.client.kind]} ${login.client.name}`,
});

const auditEvent = (row: PersonAuditRow): MyEvent => ({
  id: auditKey(row.seq),
  at: new Date(row.at).toISOString(),
  kind: row.unitTin === null ? "账户" : "授权",
  action: row.action,
  unit: row.unitTin === null ? null : { tin: row.unitTin, name: row.unitName ?? row.unitTin },
  detail: row.unitTin === null ? row.actorRole : `${row.actorName ?? ""}（${row.actorRole}）`,
});

const keyOf = (event: MyEvent): SortKey => [Date.parse(event.at), event.id];

/** 最近动态: a person's own logins and the history about them (their grants, their account), newest first. */
export function myEventsService({ audit, logins }: MyEventsDeps) {
  function events(personId: string): ListReader<MyEvent> {
    const loginList = logins.ofPerson(personId);
    const auditList = audit.ofPerson(personId);
    return {
      kinds: ["number", "string"],
      keyOf,
      descending: true,
      async rows(after, size) {
        const [fromLogins, fromAudit] = await Promise.all([
          loginList.rows(loginBound(after), size),
          auditList.rows(auditBound(after), size),
        ]);
        const merged = [...fromLogins.map(loginEvent), ...fromAudit.map(auditEvent)];
        merged.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        return merged.slice(0, size);
      },
      count: async () => (await loginList.count()) + (await auditList.count()),
      matches: (event, needle) =>
        event.action.includes(needle) || event.detail.includes(needle) || Boolean(event.unit?.name.includes(needle)),
    };
  }

  return {
    /** A page of the person's recent events. */
    page: (personId: string, query: PageQuery): Promise<Page<MyEvent>> =>
      readPage(events(personId), query, (event) => event),
  };
}

export type MyEventsService = ReturnType<typeof myEventsService>;
