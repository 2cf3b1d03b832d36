import type { FaceStep } from "../../shared/api/accounts.js";
import type { Sql } from "../db/sql.js";

/** An issued 活体检测 challenge as kept: the moves asked, in order. */
export interface StoredFaceChallenge {
  steps: FaceStep[];
  expiresAt: number;
}

const DROP_EXPIRED = "DELETE FROM face_challenges WHERE expires_at <= ?";
const INSERT = "INSERT INTO face_challenges (id, steps, expires_at) VALUES (?, ?, ?)";
// Expiry follows issue order, so the newest are those that expire last.
const KEEP_NEWEST =
  "DELETE FROM face_challenges WHERE id NOT IN (SELECT id FROM face_challenges ORDER BY expires_at DESC, id LIMIT ?)";
const TAKE = "DELETE FROM face_challenges WHERE id = ? RETURNING steps, expires_at";

export function faceChallengeStore(sql: Sql) {
  return {
    /** Stores a new challenge, dropping the expired ones and all but the newest `keep`. */
    issue: (id: string, challenge: StoredFaceChallenge, now: number, keep: number) =>
      sql.transaction(async () => {
        await sql.run(DROP_EXPIRED, [now]);
        await sql.run(INSERT, [id, JSON.stringify(challenge.steps), challenge.expiresAt]);
        await sql.run(KEEP_NEWEST, [keep]);
      }),
    /** Removes the challenge and gives it back: each is answered once, by whoever takes it first. */
    async take(id: string): Promise<StoredFaceChallenge | undefined> {
      const row = await sql.one<{ steps: string; expires_at: number }>(TAKE, [id]);
      return row && { steps: JSON.parse(row.steps) as FaceStep[], expiresAt: row.expires_at };
    },
  };
}

export type FaceChallengeStore = ReturnType<typeof faceChallengeStore>;
