import { maskPhone } from "../../shared/identity/account-rules.js";
import type { AccountAction, AuditLog } from "../audit/audit-log.js";

/** Who changed an account: the person (安全中心, 忘记密码), or the tax hall on their identity document. */
export type AccountActor = "本人" | "办税服务厅";

export interface AccountChange {
  at: number;
  personId: string;
  actor: AccountActor;
  action: AccountAction;
  /** The bound phone before and after, when it changed (kept masked: the log need not hold numbers). */
  phones?: { before: string | null; after: string | null };
}

const phoneSnapshot = (phone: string | null | undefined) => (phone ? { phone: maskPhone(phone) } : null);

/**
 * Appends a change to a person's account to the audit chain, inside the caller's transaction; the
 * caller anchors the chain's head (audit.anchorHead) after the commit.
 */
export function recordAccountChange(audit: Pick<AuditLog, "append">, change: AccountChange): Promise<void> {
  return audit.append({
    at: change.at,
    unitTin: null,
    grantId: null,
    actorId: change.personId,
    actorRole: change.actor,
    action: change.action,
    before: phoneSnapshot(change.phones?.before),
    after: phoneSnapshot(change.phones?.after),
  });
}
