import { afterEach, expect, it } from "vitest";
import { api, KNOWN_CAPTCHA_ANSWER, type RunningCompanion, startCompanion } from "../support/companion.js";
import { newPerson, registerPerson, solvedCaptcha } from "../support/people.js";
import { storedDatabaseBytes } from "../support/stored-bytes.js";

let companion: RunningCompanion | undefined;
afterEach(async () => {
  await companion?.close();
  companion = undefined;
});

it("keeps passwords, tokens and codes out of the log and the database files", async () => {
  companion = await startCompanion();
  const person = newPerson({ password: "Unique#Pw9041" });
  const c = companion;
  const issued = (await c.app.core.registrationCodes.issue(person)).code;
  await registerPerson(c, person, issued);
  const login = await api(c, "/api/login", { body: { account: person.loginName, password: person.password } });
  const token = login.body.token as string;
  await api(c, "/api/session", { token });
  await api(c, "/api/login", {
    body: { account: person.loginName, password: "Other#Secret77", ...(await solvedCaptcha(c, KNOWN_CAPTCHA_ANSWER)) },
  });
  await api(c, "/api/logout", { method: "POST", token });
  const secrets = [person.password, "Other#Secret77", token, issued, KNOWN_CAPTCHA_ANSWER];
  const logs = c.logs.join("");
  expect(logs).toContain("/api/login"); // the log is really being written
  const dbBytes = await storedDatabaseBytes(c);
  expect(dbBytes.includes(Buffer.from(person.loginName))).toBe(true); // the copy really holds the data
  for (const secret of secrets) {
    expect(logs, secret).not.toContain(secret);
    expect(dbBytes.includes(Buffer.from(secret)), secret).toBe(false);
  }
  const hash = (await c.app.core.sql.value<string>("SELECT password_hash FROM people")) ?? "";
  expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});
