import type { Sql } from "../db/sql.js";

/** A root certificate the hall trusts for CA entry. */
export interface CaRoot {
  fingerprint: string;
  subject: string;
  pem: string;
  addedAt: number;
}

/** Store queries for the trusted CA roots, one per SHA-256 fingerprint (trusting again replaces it). */
export function caRootStore(sql: Sql) {
  const save = `INSERT INTO ca_roots (fingerprint, subject, pem, added_at) VALUES (@fingerprint, @subject, @pem, @addedAt)
     ON CONFLICT (fingerprint) DO UPDATE SET subject = excluded.subject, pem = excluded.pem, added_at = excluded.added_at`;
  const listing = "SELECT fingerprint, subject, added_at FROM ca_roots ORDER BY added_at";
  const pems = "SELECT pem FROM ca_roots";

  return {
    saveRoot: (root: CaRoot) => sql.run(save, { ...root }),
    /** The roots, oldest first, without their PEM. */
    roots: async (): Promise<Omit<CaRoot, "pem">[]> =>
      (await sql.all<{ fingerprint: string; subject: string; added_at: number }>(listing)).map((row) => ({
        fingerprint: row.fingerprint,
        subject: row.subject,
        addedAt: row.added_at,
      })),
    rootPems: async () => (await sql.all<{ pem: string }>(pems)).map((row) => row.pem),
  };
}

export type CaRootStore = ReturnType<typeof caRootStore>;
