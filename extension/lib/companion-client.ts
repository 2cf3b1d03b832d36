/**
 * The one place that talks to the companion. Every response is parsed with the shared zod
 * schemas (the types come from them), every refusal with errorBodySchema.
 */
import type { z } from "zod";
import {
  captchaResponseSchema,
  type forgotCompleteRequestSchema,
  type forgotStartRequestSchema,
  forgotStartResponseSchema,
  healthSchema,
  type loginRequestSchema,
  loginResponseSchema,
  type PersonSummary,
  type registerCompleteRequestSchema,
  registerCompleteResponseSchema,
  type registerFaceRequestSchema,
  registerFaceResponseSchema,
  type registerVerifyRequestSchema,
  registerVerifyResponseSchema,
  sessionResponseSchema,
  type smsSendRequestSchema,
  smsSendResponseSchema,
} from "../../shared/api/accounts.js";
import { type declarationResetRequestSchema, declarationSmsResponseSchema } from "../../shared/api/declaration.js";
import {
  type PairedClient,
  type PairingRequest,
  pairedClientSchema,
  pairedClientsResponseSchema,
  pairingRequestsResponseSchema,
} from "../../shared/api/desktop.js";
import {
  type GrantView,
  type grantChangeRequestSchema,
  type grantCreateRequestSchema,
  grantViewSchema,
  type HistoryEntry,
  historyResponseSchema,
  type ManagedUnit,
  managedUnitsResponseSchema,
  myGrantsResponseSchema,
  type UnitDetailResponse,
  unitDetailResponseSchema,
} from "../../shared/api/grants.js";
import { DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { errorBodySchema } from "../../shared/errors.js";
import {
  type AppDownloadResponse,
  appDownloadResponseSchema,
  QR_INSTALL_PARAM,
  QR_LOGIN_SOCKET_PATH,
  type QrCreated,
  type QrEvent,
  type QrScanResult,
  qrEventSchema,
  qrScanResultSchema,
} from "../../shared/qr-login/contract.js";
import { newRequesterKeys, type RequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { CompanionError } from "./companion-error.js";
import { clearSessionToken, getSessionToken, setSessionToken } from "./session-token.js";
import { getCompanionUrl, getInstallId } from "./settings.js";

export type Health = z.infer<typeof healthSchema>;
export type Captcha = z.infer<typeof captchaResponseSchema>;
export type RegisterVerifyRequest = z.input<typeof registerVerifyRequestSchema>;
export type RegisterVerifyResponse = z.infer<typeof registerVerifyResponseSchema>;
export type RegisterFaceRequest = z.input<typeof registerFaceRequestSchema>;
export type SmsSendRequest = z.input<typeof smsSendRequestSchema>;
export type SmsSendResponse = z.infer<typeof smsSendResponseSchema>;
export type RegisterCompleteRequest = z.input<typeof registerCompleteRequestSchema>;
export type RegisterCompleteResponse = z.infer<typeof registerCompleteResponseSchema>;
export type LoginRequest = z.input<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;
export type SessionResponse = z.infer<typeof sessionResponseSchema>;
export type ForgotStartRequest = z.input<typeof forgotStartRequestSchema>;
export type ForgotStartResponse = z.infer<typeof forgotStartResponseSchema>;
export type ForgotCompleteRequest = z.input<typeof forgotCompleteRequestSchema>;
export type { PersonSummary } from "../../shared/api/accounts.js";
export type MyGrantsResponse = z.infer<typeof myGrantsResponseSchema>;
export type GrantCreateRequest = z.input<typeof grantCreateRequestSchema>;
export type DeclarationSmsResponse = z.infer<typeof declarationSmsResponseSchema>;
export type DeclarationResetRequest = z.input<typeof declarationResetRequestSchema>;
export type { PairedClient, PairingRequest } from "../../shared/api/desktop.js";
export type GrantChangeRequest = z.input<typeof grantChangeRequestSchema>;
export type {
  GrantStatus,
  GrantView,
  HistoryEntry,
  ManagedUnit,
  MyGrant,
  UnitDetailResponse,
} from "../../shared/api/grants.js";
export type { AppDownloadResponse, QrCreated, QrEvent, QrScanResult } from "../../shared/qr-login/contract.js";

export { CompanionError } from "./companion-error.js";

const REQUEST_TIMEOUT_MS = 15_000;

interface RequestOptions<T> {
  method?: "GET" | "POST";
  body?: unknown;
  /** Response schema; omitted for 204 No Content. */
  schema?: z.ZodType<T>;
  /** Send the session token as a Bearer credential. */
  auth?: boolean;
  /** Talk to this address instead of the configured one (the options page's 测试连接). */
  baseUrl?: string;
  /** Non-2xx statuses whose body is still a `schema` answer (503 from /healthz: a failed check). */
  answerStatuses?: number[];
}

/** Sends one request; answers the response when it is OK, throws a CompanionError otherwise. */
async function send(
  path: string,
  options: RequestOptions<unknown>,
  accept = "application/json",
): Promise<{ response: Response; baseUrl: string }> {
  const baseUrl = options.baseUrl ?? (await getCompanionUrl());
  const headers: Record<string, string> = { accept };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.auth) {
    const token = await getSessionToken();
    if (!token) {
      throw new CompanionError("api", baseUrl, { code: "UNAUTHENTICATED", message: "" }, 401);
    }
    headers.authorization = `Bearer ${token}`;
  }

  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl), {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new CompanionError("offline", baseUrl);
  }

  if (!response.ok && !options.answerStatuses?.includes(response.status)) {
    const parsed = errorBodySchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new CompanionError("protocol", baseUrl, null, response.status);
    if (parsed.data.code === "UNAUTHENTICATED") await clearSessionToken();
    throw new CompanionError("api", baseUrl, parsed.data, response.status);
  }
  return { response, baseUrl };
}

async function request<T>(path: string, options: RequestOptions<T>): Promise<T> {
  const { response, baseUrl } = await send(path, options);
  const json: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!options.schema) return undefined as T;
  const parsed = options.schema.safeParse(json);
  if (!parsed.success) throw new CompanionError("protocol", baseUrl, null, response.status);
  return parsed.data;
}

/**
 * 扫码登录, the requester's side: the popup's socket ws://…/api/qr-login. It speaks the desktop
 * socket's frames, so the typed DesktopClient runs over the browser's WebSocket; its refusals
 * become CompanionErrors like every other call's.
 */
export interface QrLoginSocket {
  /** A new QR code for a fresh key pair; on an open socket it replaces the one shown before (刷新). */
  show(): Promise<QrCreated>;
  /**
   * After qr.confirmed: proves the key (the decrypted challenge), opens the session token sealed
   * to it and keeps it in storage.session, as login() does. Answers the person now logged in.
   */
  redeem(ref: string): Promise<PersonSummary>;
  /** What happens to the QR codes shown on this socket: scanned, confirmed, cancelled, expired. */
  onEvent(listener: (event: QrEvent) => void): () => void;
  /** The connection ended (companion stopped, idle for five minutes, or close()). */
  onClose(listener: () => void): () => void;
  close(): void;
}

function qrLoginSocketUrl(baseUrl: string, installId: string): string {
  const url = new URL(QR_LOGIN_SOCKET_PATH, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set(QR_INSTALL_PARAM, installId);
  return url.href;
}

async function openQrLoginSocket(): Promise<QrLoginSocket> {
  const baseUrl = await getCompanionUrl();
  let socket: WebSocket;
  try {
    socket = new WebSocket(qrLoginSocketUrl(baseUrl, await getInstallId()));
  } catch {
    throw new CompanionError("offline", baseUrl);
  }
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    // A refused handshake (or nothing listening) gives only an error event, with no reason.
    socket.addEventListener("error", () => reject(new CompanionError("offline", baseUrl)), { once: true });
  });
  const client = new DesktopClient(socket, REQUEST_TIMEOUT_MS);
  let closed = false;
  client.onClose(() => {
    closed = true;
  });
  const keysByRef = new Map<string, { keys: RequesterKeys; challenge: string }>();
  /** A refusal keeps its code and message; a dropped connection reads as the companion being away. */
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DesktopError) throw new CompanionError("api", baseUrl, error.body);
      if (error instanceof CompanionError) throw error;
      throw new CompanionError(closed ? "offline" : "protocol", baseUrl);
    }
  };
  return {
    show: () =>
      call(async () => {
        const keys = await newRequesterKeys();
        const created = await client.request("qr.create", { publicKey: keys.publicKey });
        // Only the code on screen can be redeemed: the socket's earlier ones are replaced.
        keysByRef.clear();
        keysByRef.set(created.ref, { keys, challenge: created.challenge });
        return created;
      }),
    redeem: (ref) =>
      call(async () => {
        const held = keysByRef.get(ref);
        if (!held)
          throw new CompanionError("api", baseUrl, { code: "QR_NOT_FOUND", message: "二维码无效，请重新扫描" });
        const redeemed = await client.request("qr.redeem", { ref, proof: await held.keys.proofFor(held.challenge) });
        keysByRef.delete(ref);
        await setSessionToken(await held.keys.openToken(redeemed.sealedToken));
        return redeemed.person;
      }),
    onEvent: (listener) =>
      client.onEvent((event) => {
        const parsed = qrEventSchema.safeParse(event);
        if (parsed.success) listener(parsed.data);
      }),
    onClose: (listener) => client.onClose(listener),
    close: () => client.close(),
  };
}

const unitPath = (tin: string) => `/api/units/${encodeURIComponent(tin)}`;
const pairingPath = (id: string, action: "approve" | "deny") =>
  `/api/desktop/pairings/${encodeURIComponent(id)}/${action}`;
const grantPath = (tin: string, grantId: string, action: string) =>
  `${unitPath(tin)}/grants/${encodeURIComponent(grantId)}/${action}`;

/** The file name a response names in Content-Disposition (RFC 5987 filename* first), else `fallback`. */
function attachmentName(response: Response, fallback: string): string {
  const header = response.headers.get("content-disposition") ?? "";
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? fallback;
}

export const companion = {
  health: (baseUrl?: string): Promise<Health> =>
    request("/healthz", { schema: healthSchema, answerStatuses: [503], ...(baseUrl ? { baseUrl } : {}) }),

  captcha: (): Promise<Captcha> => request("/api/captcha", { schema: captchaResponseSchema }),

  registerVerify: (body: RegisterVerifyRequest): Promise<RegisterVerifyResponse> =>
    request("/api/register/verify", { method: "POST", body, schema: registerVerifyResponseSchema }),

  /** 人脸识别认证注册, step 1: the frames of a head turn; the same ticket as registerVerify's. */
  registerFace: (body: RegisterFaceRequest): Promise<RegisterVerifyResponse> =>
    request("/api/register/face", { method: "POST", body, schema: registerFaceResponseSchema }),

  sendSms: (body: SmsSendRequest): Promise<SmsSendResponse> =>
    request("/api/sms/send", { method: "POST", body, schema: smsSendResponseSchema }),

  registerComplete: (body: RegisterCompleteRequest): Promise<RegisterCompleteResponse> =>
    request("/api/register/complete", { method: "POST", body, schema: registerCompleteResponseSchema }),

  /** Logs in and keeps the token in storage.session. */
  async login(body: LoginRequest): Promise<LoginResponse> {
    const result = await request("/api/login", { method: "POST", body, schema: loginResponseSchema });
    await setSessionToken(result.token);
    return result;
  },

  /** Ends the session on the companion, and locally whatever the companion says. */
  async logout(): Promise<void> {
    try {
      if (await getSessionToken()) await request("/api/logout", { method: "POST", auth: true });
    } catch (error) {
      // A session that already expired is as good as ended.
      if (!(error instanceof CompanionError && error.code === "UNAUTHENTICATED")) throw error;
    } finally {
      await clearSessionToken();
    }
  },

  /** The logged-in person, or null when there is no session (or it expired). */
  async session(): Promise<SessionResponse | null> {
    if (!(await getSessionToken())) return null;
    try {
      return await request("/api/session", { auth: true, schema: sessionResponseSchema });
    } catch (error) {
      if (error instanceof CompanionError && error.code === "UNAUTHENTICATED") return null;
      throw error;
    }
  },

  forgotStart: (body: ForgotStartRequest): Promise<ForgotStartResponse> =>
    request("/api/password/forgot/start", { method: "POST", body, schema: forgotStartResponseSchema }),

  forgotComplete: (body: ForgotCompleteRequest): Promise<void> =>
    request("/api/password/forgot/complete", { method: "POST", body }),

  // 企业办税权限: units the person manages, their grants and history.

  managedUnits: async (q = ""): Promise<ManagedUnit[]> => {
    const query = q.trim() ? `?q=${encodeURIComponent(q.trim())}` : "";
    return (await request(`/api/units/managed${query}`, { auth: true, schema: managedUnitsResponseSchema })).units;
  },

  unitDetail: (tin: string): Promise<UnitDetailResponse> =>
    request(unitPath(tin), { auth: true, schema: unitDetailResponseSchema }),

  createGrant: (tin: string, body: GrantCreateRequest): Promise<GrantView> =>
    request(`${unitPath(tin)}/grants`, { method: "POST", body, auth: true, schema: grantViewSchema }),

  changeGrant: (tin: string, grantId: string, body: GrantChangeRequest): Promise<GrantView> =>
    request(grantPath(tin, grantId, "change"), { method: "POST", body, auth: true, schema: grantViewSchema }),

  revokeGrant: (tin: string, grantId: string): Promise<GrantView> =>
    request(grantPath(tin, grantId, "revoke"), { method: "POST", body: {}, auth: true, schema: grantViewSchema }),

  /** 复核保留: keeps a grant whose granting 管理权限 has ended, clearing its 需复核 mark. */
  reviewGrant: (tin: string, grantId: string): Promise<GrantView> =>
    request(grantPath(tin, grantId, "review"), { method: "POST", body: {}, auth: true, schema: grantViewSchema }),

  history: async (tin: string): Promise<HistoryEntry[]> =>
    (await request(`${unitPath(tin)}/history`, { auth: true, schema: historyResponseSchema })).entries,

  /** The unit's grants as CSV; fetched here because the download needs the Bearer header. */
  async exportGrantsCsv(tin: string): Promise<{ blob: Blob; fileName: string }> {
    const { response, baseUrl } = await send(`${unitPath(tin)}/grants.csv`, { auth: true }, "text/csv");
    const blob = await response.blob().catch(() => null);
    if (!blob) throw new CompanionError("offline", baseUrl);
    // ASCII fallback: a Chinese name turns into "download" where the OS locale cannot encode it.
    return { blob, fileName: attachmentName(response, `grants-${tin}.csv`) };
  },

  // 我的办税权限: the grants made to the logged-in person.

  myGrants: (): Promise<MyGrantsResponse> => request("/api/my/grants", { auth: true, schema: myGrantsResponseSchema }),

  renounceGrant: (grantId: string): Promise<void> =>
    request(`/api/my/grants/${encodeURIComponent(grantId)}/renounce`, { method: "POST", body: {}, auth: true }),

  deleteMyGrant: (grantId: string): Promise<void> =>
    request(`/api/my/grants/${encodeURIComponent(grantId)}/delete`, { method: "POST", body: {}, auth: true }),

  // 重置申报密码 by the unit's 法定代表人 or 财务负责人, confirmed by an SMS to their bound phone.

  declarationSms: (tin: string): Promise<DeclarationSmsResponse> =>
    request(`${unitPath(tin)}/declaration-password/sms`, {
      method: "POST",
      body: {},
      auth: true,
      schema: declarationSmsResponseSchema,
    }),

  resetDeclarationPassword: (tin: string, body: DeclarationResetRequest): Promise<void> =>
    request(`${unitPath(tin)}/declaration-password/reset`, { method: "POST", body, auth: true }),

  // Desktop clients: pending pairing requests (允许 / 拒绝) and the person's paired clients.

  pairingRequests: async (): Promise<PairingRequest[]> =>
    (await request("/api/desktop/pairings", { auth: true, schema: pairingRequestsResponseSchema })).requests,

  approvePairing: (id: string): Promise<PairedClient> =>
    request(pairingPath(id, "approve"), { method: "POST", body: {}, auth: true, schema: pairedClientSchema }),

  denyPairing: (id: string): Promise<void> =>
    request(pairingPath(id, "deny"), { method: "POST", body: {}, auth: true }),

  desktopClients: async (): Promise<PairedClient[]> =>
    (await request("/api/desktop/clients", { auth: true, schema: pairedClientsResponseSchema })).clients,

  /** 解除配对: the companion ends the client's connections at once. */
  revokeDesktopClient: (id: string): Promise<void> =>
    request(`/api/desktop/clients/${encodeURIComponent(id)}/revoke`, { method: "POST", body: {}, auth: true }),

  // 扫码登录: the popup shows a QR code (requester); a logged-in person's 扫一扫 page approves it.

  /** Opens the requester socket of the popup's 扫码登录 view. */
  qrLogin: (): Promise<QrLoginSocket> => openQrLoginSocket(),

  /** 扫一扫: which client asks to log in with this QR text, and when. */
  qrScan: (qrText: string): Promise<QrScanResult> =>
    request("/api/qr-login/scan", { method: "POST", body: { qrText }, auth: true, schema: qrScanResultSchema }),

  /** 确认登录: the requester gets a session of the logged-in person. */
  qrConfirm: (ref: string): Promise<void> =>
    request("/api/qr-login/confirm", { method: "POST", body: { ref }, auth: true }),

  qrCancel: (ref: string): Promise<void> =>
    request("/api/qr-login/cancel", { method: "POST", body: { ref }, auth: true }),

  /** 手机端下载: the app's download address and its QR code. */
  appDownload: (): Promise<AppDownloadResponse> => request("/api/app-download", { schema: appDownloadResponseSchema }),
};
