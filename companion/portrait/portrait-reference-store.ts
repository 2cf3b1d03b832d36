import type { Sql } from "../db/sql.js";

/** The local 人像库's store: one descriptor per 居民身份证 (a new enrolment replaces the old). */
export function portraitReferenceStore(sql: Sql, now: () => number) {
  const enroll = `INSERT INTO portrait_references (doc_number, name, descriptor, enrolled_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (doc_number) DO UPDATE SET name = excluded.name, descriptor = excluded.descriptor, enrolled_at = excluded.enrolled_at`;
  const byDocument = "SELECT name, descriptor FROM portrait_references WHERE doc_number = ?";

  return {
    async enroll(docNumber: string, name: string, descriptor: number[]): Promise<void> {
      await sql.run(enroll, [docNumber, name, Buffer.from(new Float32Array(descriptor).buffer), now()]);
    },
    async find(docNumber: string): Promise<{ name: string; descriptor: number[] } | null> {
      const row = await sql.one<{ name: string; descriptor: Buffer }>(byDocument, [docNumber]);
      if (!row) return null;
      const floats = new Float32Array(row.descriptor.buffer, row.descriptor.byteOffset, row.descriptor.byteLength / 4);
      return { name: row.name, descriptor: Array.from(floats) };
    },
  };
}

export type PortraitReferenceStore = ReturnType<typeof portraitReferenceStore>;
