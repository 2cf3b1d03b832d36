import type { Command } from "commander";
import { shanghaiDateTimeText } from "../../shared/dates.js";
import { type BrowserPairing, browserPairingService } from "../browsers/browser-pairing.js";
import { trustedBrowserStore } from "../browsers/trusted-browser-store.js";
import { configFromEnv } from "../config.js";
import { openSql } from "../db/database.js";

/** Runs a browser command on the data dir's database (the companion may be running meanwhile). */
async function withBrowsers<T>(run: (browsers: BrowserPairing) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  const sql = await openSql(config);
  try {
    return await run(browserPairingService({ store: trustedBrowserStore(sql), clock: config.clock }));
  } finally {
    await sql.close();
  }
}

/**
 * `taxauth browser …`: the browsers trusted by pairing (Firefox, whose extension origin is random
 * per install). Chrome/Edge need none of it: their IDs are fixed (TAXAUTH_EXTENSION_IDS).
 */
export function registerBrowserCommands(program: Command): void {
  const browser = program.command("browser").description("信任的浏览器（Firefox 需配对：每次安装的扩展来源都不同）");

  browser
    .command("approve <配对码>")
    .description("信任浏览器扩展上显示 6 位配对码的那个浏览器")
    .action(async (code: string) => {
      const origin = await withBrowsers((browsers) => browsers.approveFromCli(code.trim()));
      process.stdout.write(`✔ 已信任浏览器 ${origin}\n`);
    });

  browser
    .command("list")
    .description("列出已信任（配对）的浏览器")
    .option("--json", '以 JSON 输出 [{"origin", "approvedAt", "approvedBy"}]')
    .action(async (options: { json?: boolean }) => {
      const list = await withBrowsers((browsers) => browsers.list());
      if (options.json) {
        const rows = list.map((entry) => ({ ...entry, approvedAt: new Date(entry.approvedAt).toISOString() }));
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (list.length === 0) process.stdout.write("尚无配对的浏览器。\n");
      for (const entry of list) {
        const by = entry.approvedBy === "cli" ? "命令行" : "浏览器扩展";
        process.stdout.write(`${entry.origin}  ${shanghaiDateTimeText(entry.approvedAt)}（${by}确认）\n`);
      }
    });

  browser
    .command("revoke <来源>")
    .description("不再信任该浏览器（来源如 moz-extension://…，见 taxauth browser list）")
    .action(async (origin: string) => {
      await withBrowsers((browsers) => browsers.revoke(origin.trim()));
      process.stdout.write(`✔ 已撤销对 ${origin.trim()} 的信任\n`);
    });
}
