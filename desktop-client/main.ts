import { hostname } from "node:os";
import { Command } from "commander";
import type { Permission } from "../shared/api/grants.js";
import { PAGE_SIZE_MAX } from "../shared/api/paging.js";
import { shanghaiDate, shanghaiDateTimeText } from "../shared/dates.js";
import { DesktopError } from "../shared/desktop/client.js";
import type { DesktopEvent } from "../shared/desktop/protocol.js";
import { ERROR_MESSAGES } from "../shared/errors.js";
import { type Connection, connect, connectPaired, DEFAULT_URL, defaultConfigFile, saveClient } from "./connection.js";
import {
  type EnteredUnit,
  enterUnit,
  enterUnitWithCertificate,
  forgotDeclarationPassword,
  type LoginOptions,
  logIn,
  signIn,
} from "./flows.js";
import { approveQrLogin, checkQrText } from "./qr-login.js";
import { DeskError, say } from "./terminal.js";
import { unitTable } from "./unit-table.js";

/**
 * taxauth-desk: the reference desktop client of the companion's desktop socket
 * (docs/desktop-protocol.md), built only on that protocol through the typed DesktopClient.
 */

/** Exit codes: 0 done (or Ctrl-C), 1 refused (扫码登录 取消 or expired included) or failed, 2 the companion ended the session, 3 no connection. */
const ENDED_BY_COMPANION = 2;

interface GlobalOptions {
  url: string;
  config: string;
}

/** The login options of every command that logs in: 账号密码登录 or 扫码登录. */
function withLogin(command: Command): Command {
  return command
    .option(
      "--account <账号>",
      "账号密码登录：手机号码、登录名或证件号码（密码随后询问，或取自 $TAXAUTH_DESK_PASSWORD）",
    )
    .option("--qr", "扫码登录：显示二维码，由已登录的人扫描并确认")
    .option("--refresh", "扫码登录：二维码过期后自动刷新（默认按回车键刷新）");
}

function program(): Command {
  const desk = new Command("taxauth-desk")
    .description("taxauth 参考桌面客户端：配对、登录、单位管理、进入单位")
    .option("--url <地址>", "本地服务的桌面客户端地址（或 $TAXAUTH_URL）", process.env.TAXAUTH_URL || DEFAULT_URL)
    .option("--config <文件>", "保存客户端令牌的配置文件", defaultConfigFile())
    .showHelpAfterError();
  const globals = () => desk.opts<GlobalOptions>();

  desk
    .command("pair")
    .description("向本地服务申请配对，由已登录的人在浏览器扩展的弹出窗口中输入配对码并允许")
    .option("--name <客户端名称>", "在弹出窗口中显示的客户端名称", `taxauth-desk (${hostname()})`)
    .action(async (options: { name: string }) => pair(globals(), options.name));

  withLogin(desk.command("login").description("登录（账号密码，或 --qr 扫码登录）并显示登录的人，然后退出")).action(
    async (options: LoginOptions) => login(globals(), options),
  );

  desk
    .command("approve")
    .description("扫码登录的确认：以本人账号登录后，查看请求登录的客户端，确认登录或取消")
    .argument("<二维码内容>", "二维码中的文字（taxauth-qr:1:…）")
    .option("--account <账号>", "手机号码、登录名或证件号码")
    .option("--yes", "不询问，直接确认登录")
    .option("--cancel", "不询问，直接取消")
    .action(async (qrText: string, options: ApproveOptions) => approve(globals(), qrText, options));

  withLogin(
    desk.command("units").description("单位管理：列出、查询单位及申报情况；添加单位；自定义排序，设定为默认排序"),
  )
    .option("--add <纳税人识别号>", "添加单位")
    .option("--up <纳税人识别号>", "自定义排序 ▲ 上移一位（只用于本次登录，除非同时 --set-default）")
    .option("--down <纳税人识别号>", "自定义排序 ▼ 下移一位（同上）")
    .option("--move <纳税人识别号>", "自定义排序：移到 --to 给出的位置（同上）")
    .option("--to <序号>", "与 --move 一起：目标位置（从1开始）")
    .option("--set-default", "设定为默认排序：保存本次的排序（含本命令的调整），以后登录都从它开始")
    .option("--search <纳税人识别号或纳税人名称>", "查询：纳税人识别号或纳税人名称包含所填内容的单位")
    .option("--all", "显示全部单位（默认显示前50个）")
    .action(async (options: UnitsOptions) => units(globals(), options));

  withLogin(
    desk
      .command("enter")
      .description("进入单位（单位办税验证），并显示本地服务的通知，直到按 Ctrl-C 或会话结束")
      .argument("<纳税人识别号>"),
  )
    .option("--forgot", "忘记申报密码：显示重置渠道（WEB 链接和 APP 二维码）")
    .option("--cert <证书链.pem>", "本市单位的 CA 校验：单位证书（及中级证书）")
    .option("--key <私钥.pem>", "单位证书的私钥")
    .action(async (tin: string, options: EnterOptions) => {
      process.exitCode = await enter(globals(), tin, options);
    });

  withLogin(
    desk
      .command("request")
      .description("申请授权：向单位申请办税权限或管理权限，由单位的管理人员在浏览器扩展中审批")
      .argument("<纳税人识别号>"),
  )
    .option("--permission <权限类型>", "办税权限 或 管理权限", "办税权限")
    .option("--from <日期>", "授权期限起（YYYY-MM-DD，默认今天）")
    .option("--to <日期>", "定期授权的授权期限止（YYYY-MM-DD；不填为长期）")
    .option("--note <备注>", "给单位管理人员的说明（不超过200个字符）")
    .action(async (tin: string, options: RequestOptions) => requestGrant(globals(), tin, options));

  return desk;
}

const PAIRING_EXPIRED = "配对请求已过期，请重新运行 taxauth-desk pair";

async function pair({ url, config }: GlobalOptions, clientName: string): Promise<void> {
  const { client, socket } = await connect(url);
  try {
    const decided = new Promise<DesktopEvent>((resolve) => {
      const off = client.onEvent((event) => {
        if (event.event !== "pair.approved" && event.event !== "pair.denied" && event.event !== "pair.expired") return;
        off();
        resolve(event);
      });
    });
    const { code, expiresIn } = await client.request("pair.request", { clientName });
    say(`配对码 ${code}：请在浏览器扩展的弹出窗口中输入此配对码并允许`);
    say(`（${Math.round(expiresIn / 60)} 分钟内有效；客户端名称：${clientName}）`);
    const decision = await Promise.race([
      decided,
      new Promise<never>((_, reject) => {
        setTimeout(() => reject(new DeskError(PAIRING_EXPIRED)), expiresIn * 1000).unref();
        socket.once("close", () => reject(new DeskError("与本地服务的连接已断开", 3)));
      }),
    ]);
    // Nobody answered in time, or newer requests (a flood of them) pushed this one out.
    if (decision.event === "pair.expired") throw new DeskError(PAIRING_EXPIRED);
    if (decision.event !== "pair.approved") throw new DeskError(ERROR_MESSAGES.PAIRING_DENIED);
    saveClient(config, { clientToken: decision.clientToken, clientName, url, pairedAt: new Date().toISOString() });
    say(`配对成功：客户端令牌已保存到 ${config}`);
  } finally {
    client.close();
  }
}

async function login({ url, config }: GlobalOptions, options: LoginOptions): Promise<void> {
  const { client } = await connectPaired(url, config);
  try {
    await signIn(client, options);
    say("（登录属于本次连接，随命令结束；units 和 enter 各自登录，也可以用 --qr 扫码登录）");
  } finally {
    client.close();
  }
}

interface ApproveOptions {
  account?: string;
  yes?: boolean;
  cancel?: boolean;
}

/** 扫码登录, the approver's side: the person logs in here, then confirms (or cancels) the code shown elsewhere. */
async function approve({ url, config }: GlobalOptions, qrText: string, options: ApproveOptions): Promise<void> {
  if (options.yes && options.cancel) throw new DeskError("--yes 与 --cancel 只能选一个");
  checkQrText(qrText);
  const { client } = await connectPaired(url, config);
  try {
    await logIn(client, options.account);
    await approveQrLogin(client, qrText, options.yes ? "confirm" : options.cancel ? "cancel" : undefined);
  } finally {
    client.close();
  }
}

interface UnitsOptions extends LoginOptions {
  add?: string;
  up?: string;
  down?: string;
  move?: string;
  to?: string;
  setDefault?: boolean;
  search?: string;
  all?: boolean;
}

/** Where a units command moves a unit: ▲, ▼ or a 1-based position. */
function unitMove(options: UnitsOptions): { tin: string; to: "up" | "down" | number } | null {
  if (options.move === undefined && options.to !== undefined) throw new DeskError("--to 需要与 --move 一起使用");
  if (options.move !== undefined) {
    const to = Number(options.to);
    if (!Number.isInteger(to) || to < 1) throw new DeskError("--to 应为从1开始的序号");
    return { tin: options.move, to };
  }
  if (options.up !== undefined) return { tin: options.up, to: "up" };
  if (options.down !== undefined) return { tin: options.down, to: "down" };
  return null;
}

async function units({ url, config }: GlobalOptions, options: UnitsOptions): Promise<void> {
  const { client } = await connectPaired(url, config);
  try {
    await signIn(client, options);
    const move = unitMove(options);
    if (options.add) {
      const added = await client.request("units.add", { tin: options.add });
      say(`已添加：${added.unit.name}（第 ${added.position} 位）`);
    }
    if (move) {
      const moved = await client.request("units.order", move);
      say(`已移到第 ${moved.position} 位：${moved.tin}`);
    }
    // Each command is a login of its own: a move alone shows in this listing only.
    if (options.setDefault) {
      await client.request("units.order.save", {});
      say("已设定为默认排序：以后登录都从此排序开始");
    } else if (move) {
      say("（自定义排序只用于本次登录；加 --set-default 设定为默认排序）");
    }
    const query = { ...(options.search ? { q: options.search } : {}) };
    const list = await client.request("units.list", { ...query, ...(options.all ? { limit: PAGE_SIZE_MAX } : {}) });
    // --all: the following pages too, a page at a time.
    while (options.all && list.nextCursor) {
      const next = await client.request("units.list", { ...query, limit: PAGE_SIZE_MAX, cursor: list.nextCursor });
      list.items.push(...next.items);
      list.nextCursor = next.nextCursor;
    }
    say(unitTable(list, query.q));
  } finally {
    client.close();
  }
}

interface RequestOptions extends LoginOptions {
  permission: string;
  from?: string;
  to?: string;
  note?: string;
}

async function requestGrant({ url, config }: GlobalOptions, tin: string, options: RequestOptions): Promise<void> {
  const { client } = await connectPaired(url, config);
  try {
    await signIn(client, options);
    const asked = await client.request("grant.request", {
      tin,
      // Checked by the companion (VALIDATION_FAILED names the field).
      permission: options.permission as Permission,
      termType: options.to ? "定期" : "长期",
      startDate: options.from ?? shanghaiDate(Date.now()),
      ...(options.to ? { endDate: options.to } : {}),
      note: options.note ?? "",
    });
    const term = asked.endDate ? `定期 ${asked.startDate} 至 ${asked.endDate}` : `长期 自 ${asked.startDate} 起`;
    say(`已向 ${asked.unit.name}（${asked.unit.tin}）申请${asked.permission}，${term}，待审批`);
    say(
      `（${shanghaiDateTimeText(Date.parse(asked.expiresAt))} 前未处理将过期；审批结果在浏览器扩展的“我的授权申请”中查看）`,
    );
  } finally {
    client.close();
  }
}

interface EnterOptions extends LoginOptions {
  forgot?: boolean;
  cert?: string;
  key?: string;
}

async function enter({ url, config }: GlobalOptions, tin: string, options: EnterOptions): Promise<number> {
  if (Boolean(options.cert) !== Boolean(options.key)) throw new DeskError("CA 校验需要同时给出 --cert 和 --key");
  const connection = await connectPaired(url, config);
  try {
    // As in the seed, 忘记申报密码 is offered once logged in, at the unit's 申报密码 dialog (and --forgot).
    await signIn(connection.client, options);
    if (options.forgot) {
      await forgotDeclarationPassword(connection.client, tin);
      return 0;
    }
    let entered: EnteredUnit | null;
    try {
      entered =
        options.cert && options.key
          ? await enterUnitWithCertificate(connection.client, tin, { certificates: options.cert, key: options.key })
          : await enterUnit(connection.client, tin);
    } catch (error) {
      if (
        error instanceof DesktopError &&
        (error.code === "DECLARATION_LOCKED" || error.code === "DECLARATION_UNIT_CLOSED")
      ) {
        say(`忘记申报密码？运行 taxauth-desk enter ${tin} --forgot 查看重置渠道`);
      }
      throw error;
    }
    // 忘记申报密码 was chosen at the prompt: the reset channels are shown, nothing entered.
    if (entered === null) return 0;
    return await stayInUnit(connection, entered);
  } finally {
    connection.client.close();
  }
}

/** The seed's 进入功能界面: here, the companion's events until Ctrl-C or until the companion ends it. */
function stayInUnit({ client, socket }: Connection, unit: EnteredUnit): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number, message: string) => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      say(message);
      resolve(code);
    };
    // The companion closes a connection silent for 10 minutes.
    const keepAlive = setInterval(() => client.request("ping", {}).catch(() => {}), 4 * 60_000);
    client.onEvent((event) => {
      if (event.event === "unit.ended" && event.tin === unit.tin) {
        finish(ENDED_BY_COMPANION, `单位办税已结束：${event.reason}`);
      } else if (event.event === "client.revoked") {
        finish(ENDED_BY_COMPANION, "本客户端的配对已在浏览器扩展中被撤销，请重新配对");
      } else if (event.event === "session.ended") {
        finish(ENDED_BY_COMPANION, `登录已结束：${event.reason}`);
      } else if (event.event === "database.unavailable") {
        say(`注意：${event.message}（单位办税保持，恢复后会提示）`);
      } else if (event.event === "database.restored") {
        say("数据库连接已恢复");
      }
    });
    socket.once("close", () => finish(ENDED_BY_COMPANION, "与本地服务的连接已断开"));
    const leave = async () => {
      if (finished) return;
      if (process.stdout.isTTY) process.stdout.write("\n"); // after the terminal's ^C
      // 退出单位: tell the companion (briefly: it may be gone), then end.
      const left = client.request("unit.leave", { tin: unit.tin }).catch(() => {});
      await Promise.race([left, new Promise((r) => setTimeout(r, 2000))]);
      finish(0, `已退出单位：${unit.name}`);
    };
    process.once("SIGINT", leave);
    process.once("SIGTERM", leave);
    // Only now: a Ctrl-C from here on leaves the unit (before its handler, it would kill the process).
    say("正在单位中办税；本地服务的通知会显示在这里。按 Ctrl-C 退出单位。");
  });
}

/** The request fields a VALIDATION_FAILED reply can name, as the person knows them. */
const FIELD_LABELS: Record<string, string> = {
  tin: "纳税人识别号",
  to: "位置",
  cursor: "分页位置",
  limit: "每页条数",
  q: "查询",
  account: "账号",
  password: "密码",
  declarationPassword: "申报密码",
  captchaAnswer: "验证码",
  clientName: "客户端名称",
  qrText: "二维码内容",
  publicKey: "公钥",
};

/** A refusal: the companion's Chinese message, and what goes with it. */
function explain(error: unknown): string {
  if (error instanceof DesktopError) {
    const { retryAfter, attemptsLeft, fields } = error.body;
    const lines = [`错误：${error.message}`];
    if (attemptsLeft !== undefined) lines.push(`  还可尝试 ${attemptsLeft} 次`);
    if (retryAfter !== undefined) {
      lines.push(
        retryAfter >= 60 ? `  请在 ${Math.ceil(retryAfter / 60)} 分钟后再试` : `  请在 ${retryAfter} 秒后再试`,
      );
    }
    for (const [field, message] of Object.entries(fields ?? {}))
      lines.push(`  ${FIELD_LABELS[field] ?? field}：${message}`);
    // The stable code, for scripts and for support (docs/desktop-protocol.md, "Error codes").
    lines.push(`  错误代码：${error.code}`);
    return lines.join("\n");
  }
  return `错误：${error instanceof Error ? error.message : String(error)}`;
}

try {
  await program().parseAsync(process.argv);
  process.exit();
} catch (error) {
  process.stderr.write(`${explain(error)}\n`);
  process.exit(error instanceof DeskError ? error.exitCode : 1);
}
