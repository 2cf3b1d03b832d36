import * as z from "zod";

/**
 * Every refusal the companion can give: a stable code, the HTTP status it answers with, and the
 * Chinese message shown to people. The one place a code's status is decided.
 */
const ERRORS = {
  BAD_REQUEST: [400, "请求内容不正确"],
  VALIDATION_FAILED: [400, "填写的信息不符合要求"],
  FORBIDDEN_HOST: [403, "拒绝访问：主机名不正确"],
  FORBIDDEN_ORIGIN: [403, "拒绝访问：来源不被信任"],
  // A Firefox install (its own moz-extension:// origin) not yet paired: the popup offers to pair it.
  BROWSER_NOT_TRUSTED: [403, "此浏览器尚未被本地服务信任，请先配对此浏览器"],
  BROWSER_PAIRING_NOT_FOUND: [404, "配对码不正确或配对请求已过期，请核对浏览器扩展上显示的配对码"],
  TRUSTED_BROWSER_NOT_FOUND: [404, "未找到该浏览器"],
  NOT_FOUND: [404, "请求的功能不存在"],
  REQUEST_TIMEOUT: [408, "请求超时，请重试"],
  PAYLOAD_TOO_LARGE: [413, "请求内容过大"],
  UNSUPPORTED_MEDIA_TYPE: [415, "请求内容的格式不受支持，请使用 JSON"],
  UPGRADE_REQUIRED: [426, "该地址只接受 WebSocket 连接"],
  HEADERS_TOO_LARGE: [431, "请求头过大"],
  RATE_LIMITED: [429, "操作过于频繁，请稍后再试"],
  INTERNAL: [500, "服务内部错误，请稍后再试"],
  DATABASE_UNAVAILABLE: [503, "暂时无法连接数据库，请稍后再试"],
  UNAUTHENTICATED: [401, "登录已失效，请重新登录"],
  CAPTCHA_REQUIRED: [400, "请输入验证码"],
  CAPTCHA_INVALID: [400, "验证码错误或已过期"],
  LOGIN_FAILED: [401, "账号或密码错误"],
  // In the seed's words, with where to go when 忘记密码 cannot help (desktop clients show it as is).
  ACCOUNT_LOCKED: [
    423,
    "密码错误超过5次(含)，账号已被锁定，可以在120分钟之后再试，也可以通过【忘记密码】功能解锁账号。若通过此功能仍无法找回密码，请携带有效身份证件到本地办税服务厅进行密码重置。",
  ],
  PASSWORD_CHANGE_REQUIRED: [403, "您的密码已在办税服务厅重置，请先在浏览器扩展中修改密码"],
  OLD_PASSWORD_WRONG: [401, "原密码错误"],
  PASSWORD_WRONG: [401, "登录密码错误"],
  REGISTRATION_CODE_INVALID: [400, "注册码错误、已使用或已过期"],
  REGISTRATION_CODE_LOCKED: [429, "注册码错误次数过多，请到办税服务厅重新申请"],
  REGISTRATION_TICKET_INVALID: [400, "注册信息已失效，请重新填写身份信息"],
  ALREADY_REGISTERED: [409, "该证件已注册，请直接登录或使用忘记密码"],
  LOGIN_NAME_TAKEN: [409, "登录名已被使用"],
  PHONE_TAKEN: [409, "手机号已被其他账户绑定"],
  PHONE_ALREADY_BOUND: [409, "该手机号码已是本账户绑定的手机号码"],
  SMS_CODE_INVALID: [400, "短信验证码错误或已过期"],
  SMS_CODE_LOCKED: [429, "短信验证码错误次数过多，请重新获取"],
  SMS_COOLDOWN: [429, "短信发送过于频繁，请稍后再试"],
  SMS_SEND_FAILED: [502, "短信发送失败，请稍后再试"],
  IDENTITY_NOT_FOUND: [404, "未找到与填写信息一致的账户"],
  PHONE_NOT_BOUND: [409, "您账户的手机号码尚未绑定，请先进入安全中心绑定手机"],
  RESET_TICKET_INVALID: [400, "找回密码流程已失效，请重新开始"],
  KEYCHAIN_UNAVAILABLE: [503, "系统钥匙串不可用"],
  UNIT_NOT_FOUND: [404, "未找到该纳税人识别号对应的单位"],
  NOT_UNIT_MANAGER: [403, "您不是该单位的法定代表人、财务负责人或管理权限人员，不能管理其办税权限"],
  GRANT_NOT_FOUND: [404, "未找到该授权记录"],
  GRANTEE_NOT_REGISTERED: [404, "未找到与证件类型、证件号码、姓名一致的实名注册人员，请该人员先完成实名注册"],
  GRANT_EXISTS: [409, "该人员已有本单位的授权，请使用【变更】"],
  SELF_GRANT: [403, "不能给自己授权"],
  OWN_GRANT: [403, "管理权限人员不能变更或解除自己的授权"],
  BEYOND_OWN_TERM: [403, "授权期限不能超出您自己的管理权限期限"],
  GRANT_ENDED: [409, "该授权已失效，不能再变更或解除"],
  GRANT_STILL_ACTIVE: [409, "请先解除授权，再删除该条信息"],
  NOTHING_TO_REVIEW: [409, "该授权无需复核"],
  GRANT_REQUEST_NOT_FOUND: [404, "未找到该授权申请"],
  GRANT_REQUEST_PENDING: [409, "您已向该单位提交过申请，请等待审批或先撤回原申请"],
  GRANT_REQUEST_HELD: [409, "您已有该单位的同等或更高权限，无需申请"],
  GRANT_REQUEST_LIMIT: [429, "您待审批的申请已达10条，请等待审批或撤回部分申请"],
  GRANT_REQUEST_DECIDED: [409, "该申请已处理，不能再批准、拒绝或撤回"],
  GRANT_REQUEST_EXPIRED: [409, "该申请已超过7天未处理，已过期"],
  PAIRING_NOT_FOUND: [404, "配对码不正确或配对请求已过期，请核对桌面客户端上显示的配对码"],
  PAIRING_CODE_LOCKED: [429, "配对码输错次数过多，请稍后再试"],
  DESKTOP_CLIENT_NOT_FOUND: [404, "未找到该客户端"],
  NOT_PAIRED: [403, "客户端尚未配对，请先在浏览器扩展中允许配对"],
  PAIRING_DENIED: [403, "配对请求被拒绝"],
  NOT_LOGGED_IN: [401, "请先登录"],
  DECLARATION_PASSWORD_REQUIRED: [401, "您没有该单位的办税授权，请输入该单位的申报密码"],
  DECLARATION_PASSWORD_WRONG: [401, "申报密码错误"],
  DECLARATION_LOCKED: [
    423,
    "申报密码输错超过 5 次（含），已被锁定，可以在 120 分钟之后再试，也可以由税务登记的法定代表人或者财务经理通过个人所得税 APP 和 WEB 渠道，或者前往办税大厅进行重置",
  ],
  // Answered with the time it reopens in the message.
  DECLARATION_UNIT_CLOSED: [
    423,
    "该单位的申报密码在1小时内被多人多次输错，为保护单位安全，申报密码验证已暂停120分钟。有办税授权的人员、法定代表人和财务负责人可直接进入",
  ],
  DECLARATION_PASSWORD_NOT_SET: [409, "该单位尚未设置申报密码，请由法定代表人或财务负责人设置，或前往办税大厅申请"],
  NOT_IN_UNIT: [409, "您尚未进入该单位"],
  CA_NOT_ALLOWED: [403, "该单位不是本市单位，不能使用CA证书校验"],
  CA_CHALLENGE_EXPIRED: [401, "校验请求已过期，请重新获取"],
  CA_CERTIFICATE_INVALID: [401, "CA证书校验失败"],
  QR_NOT_FOUND: [404, "二维码无效，请重新扫描"],
  QR_EXPIRED: [410, "二维码已过期，请在登录界面刷新"],
  QR_ALREADY_USED: [409, "该二维码已被使用，请在登录界面刷新二维码"],
  QR_CANCELLED: [409, "该登录请求已取消"],
  QR_NOT_CONFIRMED: [409, "请先在已登录的设备上确认登录"],
  QR_KEY_MISMATCH: [403, "登录凭据校验失败，请刷新二维码后重试"],
  FACE_IMAGE_INVALID: [400, "照片无法识别，请重新拍摄"],
  FACE_NOT_FOUND: [422, "未检测到人脸，请正对摄像头并保持光线充足"],
  FACE_MULTIPLE: [422, "检测到多张人脸，请确保画面中只有您本人"],
  FACE_NO_MATCH: [422, "人脸识别未通过：与公安人像库中的照片不一致"],
  FACE_LIVENESS_FAILED: [422, "活体检测未通过：请按提示的顺序依次完成每个动作"],
  FACE_CHALLENGE_INVALID: [400, "人脸识别动作提示已失效或已使用，请重新开始识别"],
  FACE_NOT_ENROLLED: [422, "公安人像库中没有该证件的照片，请到办税服务厅注册"],
  FACE_DAILY_LIMIT: [429, "今日人脸识别失败次数过多，请明天再试或到办税服务厅注册"],
  PORTRAIT_AUTHORITY_UNAVAILABLE: [503, "公安人像库暂时无法访问，请稍后再试"],
  NOT_UNIT_OFFICER: [403, "只有税务登记的法定代表人或财务负责人可以重置申报密码"],
  OFFICE_NEEDS_DATABASE: [400, "办公室模式需要共享的 PostgreSQL 数据库：请设置 TAXAUTH_DATABASE_URL"],
  OFFICE_NOT_SET_UP: [503, "该数据库尚未建立办公室：请在第一台电脑上运行 taxauth office init"],
  OFFICE_EXISTS: [409, "该数据库已建立办公室：其它电脑请用 taxauth office invite 和 taxauth office join 加入"],
  OFFICE_NOT_MEMBER: [
    503,
    "本机尚未加入办公室：请在已加入的电脑上运行 taxauth office invite，再在本机运行 taxauth office join --code 邀请码",
  ],
  OFFICE_ALREADY_MEMBER: [409, "本机已是该办公室的成员"],
  OFFICE_MEMBERSHIP_ENDED: [403, "本机已被移出办公室：如需重新加入，请在成员电脑上运行 taxauth office invite"],
  OFFICE_KEY_MISMATCH: [503, "本机钥匙串中的办公室密钥与数据库不符：请重新加入办公室"],
  OFFICE_JOIN_CODE_INVALID: [400, "邀请码错误、已使用或已过期"],
  OFFICE_INVITES_FULL: [429, "未使用的邀请码过多：请先使用或等待其过期（15 分钟）"],
  OFFICE_MEMBER_NOT_FOUND: [404, "没有这台成员电脑：请用 taxauth office members 查看"],
  OFFICE_REMOVE_SELF: [409, "不能移出本机：请在其它成员电脑上操作"],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;
const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

export const ERROR_MESSAGES = Object.fromEntries(ERROR_CODES.map((code) => [code, ERRORS[code][1]])) as Record<
  ErrorCode,
  string
>;
export const ERROR_STATUSES = Object.fromEntries(ERROR_CODES.map((code) => [code, ERRORS[code][0]])) as Record<
  ErrorCode,
  number
>;

export const errorCodeSchema = z.enum(ERROR_CODES);

export const errorBodySchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** Seconds until the caller may try again (locks, cooldowns). */
  retryAfter: z.number().int().nonnegative().optional(),
  /** For LOGIN_FAILED and friends: the next try must carry a captcha. */
  captchaRequired: z.boolean().optional(),
  /** For LOGIN_FAILED: tries left before the lock. */
  attemptsLeft: z.number().int().nonnegative().optional(),
  /** For VALIDATION_FAILED: which field broke which rule, in Chinese. */
  fields: z.record(z.string(), z.string()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
