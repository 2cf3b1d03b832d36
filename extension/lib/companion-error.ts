import type { ErrorBody } from "../../shared/errors.js";

/**
 * Why a call failed: `offline` — nothing answered at the companion address (not started, wrong
 * port); `api` — the companion refused, see `body`; `protocol` — it answered something that is
 * not our contract (another program on that port, or a companion of another version).
 */
export class CompanionError extends Error {
  constructor(
    readonly kind: "offline" | "api" | "protocol",
    readonly baseUrl: string,
    readonly body: ErrorBody | null = null,
    readonly status = 0,
  ) {
    super(body?.message ?? kind);
    this.name = "CompanionError";
  }

  get code(): ErrorBody["code"] | null {
    return this.body?.code ?? null;
  }
}
