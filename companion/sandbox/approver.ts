import type { EndpointInput, EndpointResult } from "../../shared/api/endpoint.js";
import { type Api, api } from "../../shared/api/index.js";
import { errorBodySchema } from "../../shared/errors.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { AppError } from "../errors.js";
import { SANDBOX_CAPTCHA_ANSWER } from "./sandbox.js";

type Body<K extends keyof Api> = EndpointInput<Api[K]> extends { body: infer B } ? B : undefined;

/**
 * What the browser extension's popup does for a person, done from the command line against a
 * sandbox: log in as a demo account, then 允许 a pairing code or 确认登录 a QR code, over the
 * companion's HTTP API as the extension calls it. It speaks only to a companion whose /healthz
 * says it is a sandbox, so the demo's password never reaches a real one.
 */
export function sandboxApprover(url: string) {
  async function call<K extends keyof Api>(
    name: K,
    body: Body<K>,
    token?: string,
  ): Promise<EndpointResult<Api[K]> | undefined> {
    const endpoint = api[name];
    const response = await fetch(`${url}${endpoint.path}`, {
      method: endpoint.method,
      headers: {
        origin: EXTENSION_ORIGIN,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const answer: unknown = text ? JSON.parse(text) : undefined;
    if (response.ok || name === "health") return answer as EndpointResult<Api[K]>;
    const { code, message, ...extra } = errorBodySchema.parse(answer);
    throw new AppError(code, extra, message);
  }

  /** Runs `work` logged in as `account`, logged out after. */
  async function asPerson<T>(account: string, password: string, work: (token: string) => Promise<T>): Promise<T> {
    const health = await call("health", undefined);
    if (health?.sandbox !== true) throw new Error(`${url} 不是沙箱（taxauth sandbox）：拒绝以演示账号登录`);
    const captcha = await call("captcha", undefined);
    const login = await call("login", {
      account,
      password,
      captchaId: captcha?.captchaId,
      captchaAnswer: SANDBOX_CAPTCHA_ANSWER,
    });
    if (!login) throw new Error("no answer to the login");
    const { token } = login;
    try {
      return await work(token);
    } finally {
      await call("logout", undefined, token);
    }
  }

  return {
    /** 允许 the pairing request showing `code`; the client's name it named. */
    approvePairing: (account: string, password: string, code: string) =>
      asPerson(account, password, async (token) => (await call("approvePairing", { code }, token))?.name ?? ""),
    /** 扫一扫 and 确认登录 of `qrText`; who asked. */
    confirmQr: (account: string, password: string, qrText: string) =>
      asPerson(account, password, async (token) => {
        const scanned = await call("qrScan", { qrText }, token);
        if (!scanned) throw new Error("no answer to the scan");
        await call("qrConfirm", { ref: scanned.ref }, token);
        return scanned;
      }),
  };
}
