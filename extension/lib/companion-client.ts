/**
 * The one place that talks to the companion. Every call is derived from an endpoint declared in
 * shared/api (path, method, session, schemas): answers are parsed with its schema, refusals with
 * errorBodySchema, and the types come from the declarations.
 */
import type { z } from "zod";
import type { PersonSummary } from "../../shared/api/accounts.js";
import type { Endpoint, EndpointInput, EndpointResult } from "../../shared/api/endpoint.js";
import { endpointPath, endpointQuery } from "../../shared/api/endpoint.js";
import { type Api, api } from "../../shared/api/index.js";
import type { Page } from "../../shared/api/paging.js";
import { DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { errorBodySchema } from "../../shared/errors.js";
import { QR_LOGIN_SOCKET_PATH, type QrCreated, type QrEvent, qrEventSchema } from "../../shared/qr-login/contract.js";
import { newRequesterKeys, type RequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { reportCompanionVersion, reportServed, reportUntrusted } from "./companion-compat.js";
import { CompanionError } from "./companion-error.js";
import { askNow, reportAnswered, reportUnreachable } from "./companion-status.js";
import { clearSessionToken, getSessionToken, setSessionToken } from "./session-token.js";
import { getCompanionUrl } from "./settings.js";

/** What an endpoint takes as its body, and what it answers. */
type Body<K extends keyof Api> = EndpointInput<Api[K]> extends { body: infer B } ? B : never;
type Answer<K extends keyof Api> = EndpointResult<Api[K]>;
type Query<K extends keyof Api> = EndpointInput<Api[K]> extends { query: infer Q } ? Q : never;

export type Health = Answer<"health">;
export type Captcha = Answer<"captcha">;
export type RegisterVerifyRequest = Body<"registerVerify">;
export type RegisterVerifyResponse = Answer<"registerVerify">;
export type RegisterFaceRequest = Body<"registerFace">;
export type FaceChallenge = Answer<"registerFaceChallenge">;
export type SmsSendRequest = Body<"sendSms">;
export type SmsSendResponse = Answer<"sendSms">;
export type RegisterCompleteRequest = Body<"registerComplete">;
export type RegisterCompleteResponse = Answer<"registerComplete">;
export type LoginRequest = Body<"login">;
export type LoginResponse = Answer<"login">;
export type SessionResponse = Answer<"session">;
export type ForgotStartRequest = Body<"forgotStart">;
export type ForgotStartResponse = Answer<"forgotStart">;
export type ForgotCompleteRequest = Body<"forgotComplete">;
export type ChangePasswordRequest = Body<"changePassword">;
export type MyGrantsResponse = Answer<"myGrants">;
export type GrantCreateRequest = Body<"createGrant">;
export type GrantChangeRequest = Body<"changeGrant">;
export type DeclarationSmsResponse = Answer<"declarationSms">;
export type DeclarationResetRequest = Body<"resetDeclarationPassword">;
export type UnitDetailResponse = Answer<"unitDetail">;
export type GrantView = Answer<"createGrant">;
export type ManagedUnit = Answer<"managedUnits">["items"][number];
export type HistoryEntry = Answer<"history">["items"][number];
export type HistoryRequest = Query<"history">;
export type HistoryFilterRequest = Query<"historyCsv">;
export type MyEvent = Answer<"myEvents">["items"][number];
export type MyGrant = MyGrantsResponse["items"][number];
export type GrantRequestCreate = Body<"askGrant">;
export type GrantRequestApprove = Body<"approveGrantRequest">;
export type GrantRequestView = Answer<"askGrant">;
export type PairingsPending = Answer<"pairingsPending">;
export type PairingMatch = Answer<"findPairing">;
export type PairedClient = Answer<"approvePairing">;
export type QrScanResult = Answer<"qrScan">;
export type AppDownloadResponse = Answer<"appDownload">;
export type SecurityOverview = Answer<"securityOverview">;
export type LoginRecord = Answer<"securityLogins">["items"][number];
export type BindPhoneRequest = Body<"bindPhone">;
export type BrowserPairingRequested = Answer<"requestBrowserPairing">;
export type { PersonSummary } from "../../shared/api/accounts.js";
export type { GrantStatus } from "../../shared/api/grants.js";
export type { Page } from "../../shared/api/paging.js";
export type { QrCreated, QrEvent } from "../../shared/qr-login/contract.js";

export { CompanionError } from "./companion-error.js";

const REQUEST_TIMEOUT_MS = 15_000;

interface SendOptions {
  method: "GET" | "POST";
  body?: unknown;
  /** Send the session token as a Bearer credential. */
  auth: boolean;
  /**
   * Talk to this address instead of the configured one (the options page's 测试连接); what it finds
   * says nothing about the configured companion, so it is not reported (companion-status).
   */
  baseUrl?: string | undefined;
  /** Non-2xx statuses whose body is still an answer (503 from /healthz: a failed check). */
  answerStatuses?: number[];
  /** Cancels the request when the view that asked goes away. */
  signal?: AbortSignal | undefined;
}

/** Sends one request; answers the response when it is OK, throws a CompanionError otherwise. */
async function send(
  path: string,
  options: SendOptions,
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
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    response = await fetch(new URL(path, baseUrl), {
      method: options.method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (error) {
    // A view that went away cancelled it: nobody waits for an answer.
    if (options.signal?.aborted) throw error;
    if (!options.baseUrl) reportUnreachable(baseUrl, errorText(error));
    throw new CompanionError("offline", baseUrl);
  }
  if (!options.baseUrl) reportAnswered();

  if (!response.ok && !options.answerStatuses?.includes(response.status)) {
    const parsed = errorBodySchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new CompanionError("protocol", baseUrl, null, response.status);
    if (parsed.data.code === "UNAUTHENTICATED") await clearSessionToken();
    if (parsed.data.code === "BROWSER_NOT_TRUSTED" && !options.baseUrl) reportUntrusted();
    throw new CompanionError("api", baseUrl, parsed.data, response.status);
  }
  // Asking to pair is answered to a browser not yet trusted too: it says nothing of this one's trust.
  if (!options.baseUrl && path !== api.requestBrowserPairing.path) reportServed();
  return { response, baseUrl };
}

/** What the browser said about a request that got no answer (shown under 技术信息). */
const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

type CallInput<E extends Endpoint> = EndpointInput<E> & { signal?: AbortSignal | undefined };

/** The URL path (with its query) of a call to a declared endpoint. */
/** A file answer (the CSV exports), fetched here because it needs the Bearer header. */
async function download(path: string, fallbackName: string): Promise<{ blob: Blob; fileName: string }> {
  const { response, baseUrl } = await send(path, { method: "GET", auth: true }, "text/csv");
  const blob = await response.blob().catch(() => null);
  if (!blob) throw new CompanionError("offline", baseUrl);
  // ASCII fallback: a Chinese name turns into "download" where the OS locale cannot encode it.
  return { blob, fileName: attachmentName(response, fallbackName) };
}

function callPath<E extends Endpoint>(endpoint: E, input: CallInput<E>): string {
  const { params, query } = input as { params?: Record<string, string>; query?: Record<string, unknown> };
  return endpointPath(endpoint.path, params) + endpointQuery(query);
}

/**
 * Calls a declared endpoint (shared/api): its path, method, session need and answer schema all
 * come from the declaration; the answer is parsed with that schema, a refusal with errorBodySchema.
 */
async function call<E extends Endpoint>(
  endpoint: E,
  input: CallInput<E>,
  baseUrl?: string,
): Promise<EndpointResult<E>> {
  const responses = endpoint.responses as Record<number, z.ZodType | null | "download">;
  const answerStatuses = Object.keys(responses)
    .map(Number)
    .filter((status) => status >= 300);
  const { response, baseUrl: usedUrl } = await send(callPath(endpoint, input), {
    method: endpoint.method,
    // Every POST carries a JSON body, an empty one when the endpoint takes none.
    body: endpoint.method === "POST" ? ((input as { body?: unknown }).body ?? {}) : undefined,
    auth: endpoint.auth,
    baseUrl,
    answerStatuses,
    signal: input.signal,
  });
  const schema = responses[response.status];
  if (schema === null || schema === undefined || schema === "download") return undefined as EndpointResult<E>;
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new CompanionError("protocol", usedUrl, null, response.status);
  return parsed.data as EndpointResult<E>;
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

function qrLoginSocketUrl(baseUrl: string): string {
  const url = new URL(QR_LOGIN_SOCKET_PATH, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

async function openQrLoginSocket(): Promise<QrLoginSocket> {
  const baseUrl = await getCompanionUrl();
  let socket: WebSocket;
  try {
    socket = new WebSocket(qrLoginSocketUrl(baseUrl));
  } catch {
    throw new CompanionError("offline", baseUrl);
  }
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    // A refused handshake (or nothing listening) gives only an error event, with no reason: the
    // page's watch finds out which.
    socket.addEventListener(
      "error",
      () => {
        askNow();
        reject(new CompanionError("offline", baseUrl));
      },
      { once: true },
    );
  });
  reportAnswered();
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

/** A search and page of a list: what the next page needs (see shared/api/paging.ts). */
export type PageRequest = { cursor?: string | undefined; limit?: number; q?: string | undefined };

export const companion = {
  /** The companion's checks and versions; what the configured one speaks is checked (companion-compat). */
  async health(baseUrl?: string): Promise<Health> {
    const health = await call(api.health, {}, baseUrl);
    if (!baseUrl) reportCompanionVersion(health.version, health.protocolVersion);
    return health;
  },

  /** Whether the companion answers at all (a page's watch, companion-status). */
  alive: (signal?: AbortSignal): Promise<void> => call(api.alive, { signal }),

  captcha: (): Promise<Captcha> => call(api.captcha, {}),

  registerVerify: (body: RegisterVerifyRequest): Promise<RegisterVerifyResponse> => call(api.registerVerify, { body }),

  /** 人脸识别认证注册: the moves this attempt must show, in order (one challenge per attempt). */
  registerFaceChallenge: (signal?: AbortSignal): Promise<FaceChallenge> => call(api.registerFaceChallenge, { signal }),

  /** 人脸识别认证注册, step 1: the frames of the challenge's moves; the same ticket as registerVerify's. */
  registerFace: (body: RegisterFaceRequest): Promise<RegisterVerifyResponse> => call(api.registerFace, { body }),

  sendSms: (body: SmsSendRequest): Promise<SmsSendResponse> => call(api.sendSms, { body }),

  registerComplete: (body: RegisterCompleteRequest): Promise<RegisterCompleteResponse> =>
    call(api.registerComplete, { body }),

  /** Logs in and keeps the token in storage.session. */
  async login(body: LoginRequest): Promise<LoginResponse> {
    const result = await call(api.login, { body });
    await setSessionToken(result.token);
    return result;
  },

  /** Ends the session on the companion, and locally whatever the companion says. */
  async logout(): Promise<void> {
    try {
      if (await getSessionToken()) await call(api.logout, {});
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
      return await call(api.session, {});
    } catch (error) {
      if (error instanceof CompanionError && error.code === "UNAUTHENTICATED") return null;
      throw error;
    }
  },

  forgotStart: (body: ForgotStartRequest): Promise<ForgotStartResponse> => call(api.forgotStart, { body }),

  forgotComplete: (body: ForgotCompleteRequest): Promise<void> => call(api.forgotComplete, { body }),

  /** 修改密码 of the logged-in person (安全中心, or first thing after a one-time password from the hall); ends their other sessions. */
  changePassword: (body: ChangePasswordRequest): Promise<void> => call(api.changePassword, { body }),

  // 企业办税权限: units the person manages, their grants and history, a page at a time.

  managedUnits: (query: PageRequest, signal?: AbortSignal): Promise<Page<ManagedUnit>> =>
    call(api.managedUnits, { query, signal }),

  unitDetail: (tin: string, signal?: AbortSignal): Promise<UnitDetailResponse> =>
    call(api.unitDetail, { params: { tin }, signal }),

  unitGrants: (tin: string, query: PageRequest, signal?: AbortSignal): Promise<Page<GrantView>> =>
    call(api.unitGrants, { params: { tin }, query, signal }),

  createGrant: (tin: string, body: GrantCreateRequest): Promise<GrantView> =>
    call(api.createGrant, { params: { tin }, body }),

  changeGrant: (tin: string, grantId: string, body: GrantChangeRequest): Promise<GrantView> =>
    call(api.changeGrant, { params: { tin, grantId }, body }),

  revokeGrant: (tin: string, grantId: string): Promise<GrantView> =>
    call(api.revokeGrant, { params: { tin, grantId } }),

  /** The grantee's whole 证件号码 (the lists mask it), for a manager who asks. */
  granteeDocument: (tin: string, grantId: string): Promise<{ docNumber: string }> =>
    call(api.granteeDocument, { params: { tin, grantId } }),

  /** 复核保留: keeps a grant whose granting 管理权限 has ended, clearing its 需复核 mark. */
  reviewGrant: (tin: string, grantId: string): Promise<GrantView> =>
    call(api.reviewGrant, { params: { tin, grantId } }),

  /** The unit's history, newest first, under the filters given. */
  history: (tin: string, query: HistoryRequest, signal?: AbortSignal): Promise<Page<HistoryEntry>> =>
    call(api.history, { params: { tin }, query, signal }),

  /** The unit's grants as CSV; fetched here because the download needs the Bearer header. */
  exportGrantsCsv: (tin: string) => download(callPath(api.grantsCsv, { params: { tin } }), `grants-${tin}.csv`),

  /** The unit's history under the filters as CSV. */
  exportHistoryCsv: (tin: string, filter: HistoryFilterRequest) =>
    download(callPath(api.historyCsv, { params: { tin }, query: filter }), `history-${tin}.csv`),

  // 我的办税权限: the grants made to the logged-in person.

  myGrants: (query: PageRequest = {}, signal?: AbortSignal): Promise<MyGrantsResponse> =>
    call(api.myGrants, { query, signal }),

  /** 最近动态: the person's own logins and the changes to their grants and account, newest first. */
  myEvents: (query: PageRequest, signal?: AbortSignal): Promise<Page<MyEvent>> => call(api.myEvents, { query, signal }),

  renounceGrant: (grantId: string): Promise<void> => call(api.renounceGrant, { params: { grantId } }),

  // 申请授权: the person's requests, and the unit's pending ones for its managers.
  askGrant: (body: GrantRequestCreate): Promise<GrantRequestView> => call(api.askGrant, { body }),

  myGrantRequests: (query: PageRequest, signal?: AbortSignal): Promise<Page<GrantRequestView>> =>
    call(api.myGrantRequests, { query, signal }),

  withdrawGrantRequest: (requestId: string): Promise<GrantRequestView> =>
    call(api.withdrawGrantRequest, { params: { requestId } }),

  unitGrantRequests: (tin: string, query: PageRequest, signal?: AbortSignal): Promise<Page<GrantRequestView>> =>
    call(api.unitGrantRequests, { params: { tin }, query, signal }),

  approveGrantRequest: (tin: string, requestId: string, body: GrantRequestApprove): Promise<GrantRequestView> =>
    call(api.approveGrantRequest, { params: { tin, requestId }, body }),

  declineGrantRequest: (tin: string, requestId: string, reason: string): Promise<GrantRequestView> =>
    call(api.declineGrantRequest, { params: { tin, requestId }, body: { reason } }),

  deleteMyGrant: (grantId: string): Promise<void> => call(api.deleteMyGrant, { params: { grantId } }),

  // 重置申报密码 by the unit's 法定代表人 or 财务负责人, confirmed by an SMS to their bound phone.

  declarationSms: (tin: string): Promise<DeclarationSmsResponse> => call(api.declarationSms, { params: { tin } }),

  resetDeclarationPassword: (tin: string, body: DeclarationResetRequest): Promise<void> =>
    call(api.resetDeclarationPassword, { params: { tin }, body }),

  // Desktop clients: how many ask to pair, the one whose code the person typed (允许 / 拒绝), and
  // the person's paired clients.

  pairingsPending: (signal?: AbortSignal): Promise<PairingsPending> => call(api.pairingsPending, { signal }),

  findPairing: (code: string): Promise<PairingMatch> => call(api.findPairing, { body: { code } }),

  approvePairing: (code: string): Promise<PairedClient> => call(api.approvePairing, { body: { code } }),

  denyPairing: (code: string): Promise<void> => call(api.denyPairing, { body: { code } }),

  desktopClients: (query: PageRequest = {}, signal?: AbortSignal): Promise<Page<PairedClient>> =>
    call(api.desktopClients, { query, signal }),

  /** 解除配对: the companion ends the client's connections at once. */
  revokeDesktopClient: (id: string): Promise<void> => call(api.revokeDesktopClient, { params: { id } }),

  // Browsers trusted by pairing (Firefox): this one asks and shows a code; a trusted one approves it.

  requestBrowserPairing: (): Promise<BrowserPairingRequested> => call(api.requestBrowserPairing, {}),

  approveBrowserPairing: (code: string): Promise<{ origin: string }> =>
    call(api.approveBrowserPairing, { body: { code } }),

  // 扫码登录: the popup shows a QR code (requester); a logged-in person's 扫一扫 page approves it.

  /** Opens the requester socket of the popup's 扫码登录 view. */
  qrLogin: (): Promise<QrLoginSocket> => openQrLoginSocket(),

  /** 扫一扫: which client asks to log in with this QR text, and when. */
  qrScan: (qrText: string): Promise<QrScanResult> => call(api.qrScan, { body: { qrText } }),

  /** 确认登录: the requester gets a session of the logged-in person. */
  qrConfirm: (ref: string): Promise<void> => call(api.qrConfirm, { body: { ref } }),

  qrCancel: (ref: string): Promise<void> => call(api.qrCancel, { body: { ref } }),

  // 安全中心: the bound phone, 最近登录 (修改密码 is changePassword, the paired clients desktopClients).

  securityOverview: (signal?: AbortSignal): Promise<SecurityOverview> => call(api.securityOverview, { signal }),

  securityLogins: (query: PageRequest, signal?: AbortSignal): Promise<Page<LoginRecord>> =>
    call(api.securityLogins, { query, signal }),

  /** The SMS code for 绑定手机 / 更换手机, to the new number. */
  bindPhoneSms: (phone: string): Promise<SmsSendResponse> => call(api.bindPhoneSms, { body: { phone } }),

  bindPhone: (body: BindPhoneRequest): Promise<Answer<"bindPhone">> => call(api.bindPhone, { body }),

  /** 手机端下载: the app's download address and its QR code. */
  appDownload: (): Promise<AppDownloadResponse> => call(api.appDownload, {}),
};
