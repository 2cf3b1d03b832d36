import type { Command } from "commander";
import * as z from "zod";
import { DEMO_PASSWORD } from "../demo/seed.js";
import { parseInput } from "../errors.js";
import { sandboxApprover } from "../sandbox/approver.js";
import { runSandbox, SANDBOX_TIMERS } from "../sandbox/sandbox.js";

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const timersSchema = z.object({
  desktopIdleSeconds: seconds(1, 3600),
  pairingSeconds: seconds(1, 3600),
  qrSeconds: seconds(10, 600),
});
const approverSchema = z.object({ port: z.coerce.number().int().min(1).max(65535), account: z.string().min(1) });

/** The demo account that approves, unless --account names another (its password is the demo's). */
const DEFAULT_APPROVER = "songxiaoming";

/** `taxauth sandbox …`: a known-answer companion for desktop vendors' tests, and the person's side of it. */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description(
      "沙箱：供桌面客户端厂商测试的本地服务（临时数据目录、演示数据、已知验证码答案、短计时），以一行 JSON 输出其信息",
    )
    .option("--idle-seconds <秒>", "桌面连接无请求多久后关闭（4408）", String(SANDBOX_TIMERS.desktopIdleSeconds))
    .option("--pairing-seconds <秒>", "配对请求的有效期", String(SANDBOX_TIMERS.pairingSeconds))
    .option("--qr-seconds <秒>", "扫码登录二维码的有效期（10–600）", String(SANDBOX_TIMERS.qrSeconds))
    .action(async (options: { idleSeconds: string; pairingSeconds: string; qrSeconds: string }) => {
      const timers = parseInput(timersSchema, {
        desktopIdleSeconds: options.idleSeconds,
        pairingSeconds: options.pairingSeconds,
        qrSeconds: options.qrSeconds,
      });
      await runSandbox(timers);
    });

  const approver = (options: { port: string; account: string }) => {
    const { port, account } = parseInput(approverSchema, options);
    return { approver: sandboxApprover(`http://127.0.0.1:${port}`), account, password: DEMO_PASSWORD };
  };

  sandbox
    .command("approve")
    .description("以演示账号登录沙箱并允许该配对码（代替浏览器扩展的弹出窗口）")
    .argument("<配对码>", "桌面客户端显示的6位配对码")
    .requiredOption("--port <端口>", "沙箱的端口")
    .option("--account <登录名>", "允许配对的演示账号", DEFAULT_APPROVER)
    .action(async (code: string, options: { port: string; account: string }) => {
      const { approver: person, account, password } = approver(options);
      const clientName = await person.approvePairing(account, password, code);
      process.stdout.write(`${JSON.stringify({ approved: true, clientName })}\n`);
    });

  sandbox
    .command("confirm-qr")
    .description("以演示账号登录沙箱，扫描并确认登录该扫码登录二维码（代替扫一扫页面）")
    .argument("<二维码文本>", "taxauth-qr:1:…")
    .requiredOption("--port <端口>", "沙箱的端口")
    .option("--account <登录名>", "确认登录的演示账号", DEFAULT_APPROVER)
    .action(async (qrText: string, options: { port: string; account: string }) => {
      const { approver: person, account, password } = approver(options);
      const scanned = await person.confirmQr(account, password, qrText);
      process.stdout.write(`${JSON.stringify({ confirmed: true, clientName: scanned.clientName })}\n`);
    });
}
