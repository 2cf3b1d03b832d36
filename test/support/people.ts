import type { DocumentType } from "../../shared/identity/documents.js";
import { gb11643CheckDigit } from "../../shared/identity/documents.js";
import { api, lastSmsCode, type RunningCompanion, runCli, storeOf } from "./companion.js";

let serial = 0;

/** A valid, unique 居民身份证 number (Beijing 东城区, born 1990). */
export function newIdNumber(): string {
  serial += 1;
  const first17 = `11010119900101${String(100 + (serial % 900)).padStart(3, "0")}`;
  return first17 + gb11643CheckDigit(first17);
}

export function newPhone(): string {
  serial += 1;
  return `139${String(Date.now() % 1e4).padStart(4, "0")}${String(serial).padStart(4, "0")}`;
}

export interface TestPerson {
  docType: DocumentType;
  docNumber: string;
  name: string;
  nationality: string;
  loginName: string;
  password: string;
  phone: string;
}

export function newPerson(overrides: Partial<TestPerson> = {}): TestPerson {
  serial += 1;
  return {
    docType: "居民身份证",
    docNumber: newIdNumber(),
    name: "宋晓明",
    nationality: "中国",
    loginName: `clerk_${serial}`,
    password: "Secret#2026",
    phone: newPhone(),
    ...overrides,
  };
}

/** A companion as tests reach it: its address, and its data dir (whose outbox has its texts). */
type Reached = Pick<RunningCompanion, "url" | "dataDir">;

/** The register page's first step: the 注册码 and the identity it was issued for (a captcha after a wrong code). */
export const verifyRegistrationCode = (
  companion: { url: string },
  person: TestPerson,
  registrationCode: string,
  captcha: { captchaId?: string; captchaAnswer?: string } = {},
) =>
  api(companion, "/api/register/verify", {
    body: {
      registrationCode,
      docType: person.docType,
      docNumber: person.docNumber,
      name: person.name,
      nationality: person.nationality,
      ...captcha,
    },
  });

/** Registers through the HTTP API exactly as the register page does, with a code from the hall. */
export async function registerPerson(
  companion: Reached & { app?: RunningCompanion["app"] },
  person: TestPerson = newPerson(),
  hallCode?: string,
): Promise<TestPerson> {
  const issued = hallCode ?? (await companion.app?.core.registrationCodes.issue(person))?.code;
  if (issued === undefined) throw new Error("a companion in another process needs the hall code given");
  const verify = await verifyRegistrationCode(companion, person, issued);
  if (verify.status !== 200) throw new Error(`verify failed: ${JSON.stringify(verify.body)}`);
  const complete = await finishRegistration(companion, verify.body.registrationTicket, person);
  if (complete.status !== 200) throw new Error(`complete failed: ${JSON.stringify(complete.body)}`);
  return person;
}

/**
 * Step 2 of either registration (hall code or face): the SMS to the phone, then 登录名, 密码 and
 * 手机号 with the code. Answers the companion's reply to the last call.
 */
export async function finishRegistration(companion: Reached, ticket: string, person: TestPerson) {
  const sms = await api(companion, "/api/sms/send", { body: { purpose: "register", ticket, phone: person.phone } });
  if (sms.status !== 200) throw new Error(`sms failed: ${JSON.stringify(sms.body)}`);
  return api(companion, "/api/register/complete", {
    body: {
      registrationTicket: ticket,
      loginName: person.loginName,
      password: person.password,
      phone: person.phone,
      smsCode: await lastSmsCode(companion.dataDir, person.phone),
    },
  });
}

/** A fresh captcha and its (known) answer, for a test companion started with captcha "known". */
export async function solvedCaptcha(companion: RunningCompanion, answer: string) {
  const { body } = await api(companion, "/api/captcha");
  return { captchaId: body.captchaId as string, captchaAnswer: answer };
}

/** Logs a registered person in over HTTP and returns their session token. */
export async function loginToken(companion: { url: string }, person: TestPerson): Promise<string> {
  const res = await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/**
 * `taxauth hall password reset` for the person (the built CLI, on the companion's store), with
 * `more` options (--phone, --unbind-phone); answers the slip it prints.
 */
export const hallPasswordReset = (
  companion: Pick<RunningCompanion, "dataDir" | "databaseUrl">,
  person: Pick<TestPerson, "docType" | "docNumber" | "name">,
  ...more: string[]
) =>
  runCli(
    [
      "hall",
      "password",
      "reset",
      "--doc-type",
      person.docType,
      "--doc-number",
      person.docNumber,
      "--name",
      person.name,
      ...more,
    ],
    storeOf(companion),
  );

/** The one-time password printed on a hall reset's slip. */
export const oneTimePasswordOf = (slip: string) => /您的临时密码为 (\S+) ，/.exec(slip)?.[1] as string;
