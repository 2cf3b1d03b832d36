import { Writable } from "node:stream";
import pino from "pino";
import { expect, it } from "vitest";
import { loggerOptions } from "../../companion/logger.js";

it("redacts secret fields wherever they sit in a log object", () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = pino(loggerOptions("info"), stream);
  log.info(
    {
      password: "Top#Secret1",
      body: { newPassword: "Next#Secret2", smsCode: "123456", registrationCode: "AB12CD", account: "clerk_1" },
      req: { headers: { authorization: "Bearer abcdef", host: "127.0.0.1:1" } },
    },
    "attempt",
  );
  const line = lines.join("");
  for (const secret of ["Top#Secret1", "Next#Secret2", "123456", "AB12CD", "Bearer abcdef"]) {
    expect(line).not.toContain(secret);
  }
  expect(line).toContain("clerk_1");
  expect(line).toContain("[redacted]");
});
