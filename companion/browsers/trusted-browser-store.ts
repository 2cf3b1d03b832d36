import type { Sql } from "../db/sql.js";

export interface TrustedBrowser {
  origin: string;
  approvedAt: number;
  /** Who approved it: "cli", or the id of the person who typed the code. */
  approvedBy: string;
}

/**
 * Browsers trusted by pairing, and the requests waiting for it. Both are in the database: a CLI
 * process on the same data dir (or another companion of the office) approves and revokes them.
 */
export function trustedBrowserStore(sql: Sql) {
  const trusted = "SELECT 1 FROM trusted_browsers WHERE origin = ? AND revoked_at IS NULL";
  const list = `SELECT origin, approved_at, approved_by FROM trusted_browsers
     WHERE revoked_at IS NULL ORDER BY approved_at, origin`;
  const trust = `INSERT INTO trusted_browsers (origin, approved_at, approved_by) VALUES (?, ?, ?)
     ON CONFLICT (origin) DO UPDATE SET approved_at = excluded.approved_at, approved_by = excluded.approved_by, revoked_at = NULL`;
  const revoke = "UPDATE trusted_browsers SET revoked_at = ? WHERE origin = ? AND revoked_at IS NULL";
  const dropExpired = "DELETE FROM browser_pairings WHERE requested_at <= ?";
  const ofOrigin = "SELECT code, requested_at FROM browser_pairings WHERE origin = ?";
  const codeTaken = "SELECT 1 FROM browser_pairings WHERE code = ?";
  const pendingCount = "SELECT COUNT(*) FROM browser_pairings";
  const oldest = "SELECT origin FROM browser_pairings ORDER BY requested_at, origin LIMIT 1";
  const insert = "INSERT INTO browser_pairings (origin, code, requested_at) VALUES (?, ?, ?)";
  const byCode = "SELECT origin FROM browser_pairings WHERE code = ? AND requested_at > ?";
  const drop = "DELETE FROM browser_pairings WHERE origin = ?";

  return {
    isTrusted: async (origin: string): Promise<boolean> => (await sql.value(trusted, [origin])) !== undefined,
    list: async (): Promise<TrustedBrowser[]> =>
      (await sql.all<{ origin: string; approved_at: number; approved_by: string }>(list)).map((row) => ({
        origin: row.origin,
        approvedAt: Number(row.approved_at),
        approvedBy: row.approved_by,
      })),
    /** Whether it was trusted (and now is not). */
    revoke: async (origin: string, at: number): Promise<boolean> => (await sql.run(revoke, [at, origin])) > 0,

    /**
     * The origin's live request, or a new one showing a code `newCode` draws (unused among the live
     * ones). Requests from before `liveAfter` are gone; past `maxPending` the oldest goes.
     */
    request: (
      origin: string,
      at: number,
      { liveAfter, maxPending, newCode }: { liveAfter: number; maxPending: number; newCode: () => string },
    ): Promise<{ code: string; requestedAt: number; isNew: boolean }> =>
      sql.transaction(async () => {
        await sql.run(dropExpired, [liveAfter]);
        const live = await sql.one<{ code: string; requested_at: number }>(ofOrigin, [origin]);
        if (live) return { code: live.code, requestedAt: Number(live.requested_at), isNew: false };
        if (((await sql.value<number>(pendingCount)) ?? 0) >= maxPending) {
          await sql.run(drop, [(await sql.value<string>(oldest)) ?? ""]);
        }
        let code = newCode();
        while ((await sql.value(codeTaken, [code])) !== undefined) code = newCode();
        await sql.run(insert, [origin, code, at]);
        return { code, requestedAt: at, isNew: true };
      }),
    /** The origin waiting with `code` (requested after `liveAfter`), trusted now by `approvedBy`; null if none. */
    approve: (code: string, at: number, liveAfter: number, approvedBy: string): Promise<string | null> =>
      sql.transaction(async () => {
        const origin = await sql.value<string>(byCode, [code, liveAfter]);
        if (origin === undefined) return null;
        await sql.run(drop, [origin]);
        await sql.run(trust, [origin, at, approvedBy]);
        return origin;
      }),
  };
}

export type TrustedBrowserStore = ReturnType<typeof trustedBrowserStore>;
