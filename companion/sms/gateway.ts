import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";

/** Sends a text message to a mainland phone number. */
export interface SmsGateway {
  readonly kind: string;
  send(phone: string, text: string): Promise<void>;
}

export const SMS_OUTBOX_FILE = "sms-outbox.jsonl";

const outboxEntrySchema = z.object({ at: z.string(), phone: z.string(), text: z.string() });
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/**
 * For a machine without an SMS provider: messages are appended to an outbox file in the data dir
 * (the "phone network" — not the companion's database) and printed on the companion's terminal.
 * `taxauth hall sms-outbox` reads them.
 */
export function outboxGateway(
  dataDir: string,
  options: { now: () => number; print?: (line: string) => void },
): SmsGateway {
  const file = join(dataDir, SMS_OUTBOX_FILE);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  return {
    kind: "outbox",
    async send(phone, text) {
      const entry: OutboxEntry = { at: new Date(options.now()).toISOString(), phone, text };
      appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      print(`[短信发件箱] ${phone}: ${text}`);
    },
  };
}

export function readOutbox(dataDir: string): OutboxEntry[] {
  const file = join(dataDir, SMS_OUTBOX_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      const parsed = outboxEntrySchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    });
}

/**
 * A real provider behind an HTTP webhook: POST {phone, text} as JSON, with a bearer token when
 * configured; any non-2xx answer or a timeout is a failed send.
 */
export function webhookGateway(url: string, options: { token?: string; timeoutMs?: number } = {}): SmsGateway {
  return {
    kind: "webhook",
    async send(phone, text) {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ phone, text }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new Error(`SMS webhook answered ${response.status}`);
    },
  };
}
