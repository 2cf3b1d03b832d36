// Login round trip and the non-crypto request path (GET /api/session) of the companion, each
// against a trivial GET on the bare Fastify floor. Not a §8 budget of its own: informational.
import { gb11643CheckDigit } from "../shared/identity/documents.js";
import {
  type BudgetResult,
  type Companion,
  median,
  percentile,
  request,
  round,
  type Server,
  taxauth,
  timeSequential,
} from "./support.js";

const first17 = "11010119900307123"; // Beijing 东城区, born 1990-03-07
const person = {
  docType: "居民身份证",
  docNumber: first17 + gb11643CheckDigit(first17),
  name: "宋",
  nationality: "中国",
  loginName: "bench_clerk",
  password: "Secret#2026",
  phone: "13912345678",
};

/** How the bench person logs in (the login request body). */
export const BENCH_ACCOUNT = { account: person.loginName, password: person.password };

async function post(companion: Companion, path: string, body: unknown): Promise<any> {
  const { status, body: answer } = await request(`${companion.url}${path}`, { body });
  if (status !== 200) throw new Error(`POST ${path}: ${status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Registers the bench person as a clerk would: hall code from the CLI, then the register page's calls. */
export async function registerPerson(companion: Companion): Promise<void> {
  const stdout = await taxauth(companion.env, [
    ...["hall", "code", "issue", "--doc-type", person.docType, "--doc-number", person.docNumber],
    ...["--name", person.name],
  ]);
  const registrationCode = stdout.match(/您的注册码为 (\S+)/)?.[1];
  if (!registrationCode) throw new Error(`no registration code in:\n${stdout}`);

  const { docType, docNumber, name, nationality, loginName, password, phone } = person;
  const verify = await post(companion, "/api/register/verify", {
    registrationCode,
    docType,
    docNumber,
    name,
    nationality,
  });
  const registrationTicket = verify.registrationTicket as string;
  await post(companion, "/api/sms/send", { purpose: "register", ticket: registrationTicket, phone });
  // Read as the hall reads it: the data dir's outbox, or an office's in the shared database.
  const texts = (await taxauth(companion.env, ["hall", "sms-outbox", "--phone", phone])).split("\n");
  const smsCode = texts
    .filter((line) => line.includes("验证码"))
    .at(-1)
    ?.match(/验证码 (\d{6})/)?.[1];
  if (!smsCode) throw new Error(`no SMS code for ${phone} in the outbox`);
  await post(companion, "/api/register/complete", { registrationTicket, loginName, password, phone, smsCode });
}

function compare(name: string, times: number[], floorTimes: number[], note: string): BudgetResult {
  const value = median(times);
  const floor = median(floorTimes);
  return {
    name,
    value: round(value, 2),
    unit: "ms",
    floor: round(floor, 2),
    ratio: round(value / floor, 1),
    budget: null,
    withinBudget: null,
    p95: round(percentile(times, 95), 2),
    floorP95: round(percentile(floorTimes, 95), 2),
    samples: times.length,
    note,
  };
}

export async function measureLogin(companion: Companion, floor: Server, n = 50): Promise<BudgetResult[]> {
  await registerPerson(companion);
  let token = "";
  const login = await timeSequential(n, async () => {
    const { status, body } = await request(`${companion.url}/api/login`, {
      body: { account: person.loginName, password: person.password },
    });
    if (status !== 200) throw new Error(`POST /api/login: ${status} ${JSON.stringify(body)}`);
    token = body.token;
  });
  const session = await timeSequential(n * 10, async () => {
    const { status, body } = await request(`${companion.url}/api/session`, { token });
    if (status !== 200) throw new Error(`GET /api/session: ${status} ${JSON.stringify(body)}`);
  });
  const ping = await timeSequential(n * 10, async () => {
    const { status } = await request(`${floor.url}/ping`);
    if (status !== 200) throw new Error(`GET /ping: ${status}`);
  });
  return [
    compare(
      "POST /api/login round trip",
      login,
      ping,
      "argon2id verify (19 MiB, t=2) dominates, by design; floor: GET /ping on bare Fastify",
    ),
    compare(
      "GET /api/session round trip",
      session,
      ping,
      "the non-crypto request path: this ratio is the companion's own overhead",
    ),
  ];
}
