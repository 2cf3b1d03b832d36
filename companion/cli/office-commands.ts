import { hostname } from "node:os";
import type { Command } from "commander";
import { shanghaiDateTimeText } from "../../shared/dates.js";
import { configFromEnv } from "../config.js";
import { openSql } from "../db/database.js";
import { AppError } from "../errors.js";
import { osKeychain } from "../keychain/keychain.js";
import { type Office, officeService } from "../office/office.js";
import { officeStore } from "../office/office-store.js";

/**
 * Runs an office command against the shared database. It does not open the whole companion core:
 * `init` and `join` run before this machine can open the office's secrets.
 */
async function withOffice<T>(run: (office: Office) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  if (!config.databaseUrl) throw new AppError("OFFICE_NEEDS_DATABASE");
  const sql = await openSql(config);
  try {
    return await run(
      officeService({ store: officeStore(sql), keychain: osKeychain(config.keychainService), clock: config.clock }),
    );
  } finally {
    await sql.close();
  }
}

/** `taxauth office …`: the machines that share one PostgreSQL database, and the key they hold. */
export function registerOfficeCommands(program: Command): void {
  const office = program
    .command("office")
    .description("办公室模式：多台电脑共用一个 PostgreSQL 数据库（需设置 TAXAUTH_DATABASE_URL）");

  office
    .command("init")
    .description("在第一台电脑上建立办公室：生成办公室密钥并保存在本机系统钥匙串中")
    .option("--name <名称>", "本机在成员列表中的名称", hostname())
    .action(async (options: { name: string }) => {
      const { officeId } = await withOffice((o) => o.init(options.name));
      process.stdout.write(`✔ 已建立办公室 ${officeId}，本机「${options.name}」已加入。\n`);
      process.stdout.write(
        "  其它电脑加入：在本机运行 taxauth office invite，再在新电脑上运行 taxauth office join --code 邀请码\n",
      );
    });

  office
    .command("invite")
    .description("生成一次性邀请码（15 分钟内有效，只能使用一次），供新电脑加入")
    .option("--json", '以 JSON 输出 {"code", "expiresAt"}')
    .action(async (options: { json?: boolean }) => {
      const invite = await withOffice((o) => o.invite());
      if (options.json) {
        process.stdout.write(`${JSON.stringify(invite)}\n`);
        return;
      }
      process.stdout.write(`邀请码：${invite.code}\n`);
      process.stdout.write(`有效期至 ${shanghaiDateTimeText(invite.expiresAt)}（北京时间），只能使用一次。\n`);
      process.stdout.write("在新电脑上运行：taxauth office join --code 邀请码\n");
    });

  office
    .command("join")
    .description("用邀请码加入办公室：办公室密钥保存在本机系统钥匙串中")
    .requiredOption("--code <邀请码>", "已加入的电脑上 taxauth office invite 给出的邀请码")
    .option("--name <名称>", "本机在成员列表中的名称", hostname())
    .action(async (options: { code: string; name: string }) => {
      const { officeId } = await withOffice((o) => o.join(options.code, options.name));
      process.stdout.write(`✔ 本机「${options.name}」已加入办公室 ${officeId}。现在可以启动本地服务：taxauth start\n`);
    });

  office
    .command("members")
    .description("列出办公室的成员电脑及最近在线时间")
    .option("--json", "以 JSON 输出")
    .action(async (options: { json?: boolean }) => {
      const members = await withOffice((o) => o.members());
      if (options.json) {
        process.stdout.write(`${JSON.stringify(members)}\n`);
        return;
      }
      process.stdout.write("电脑\t名称\t加入时间\t最近在线\t状态\n");
      for (const m of members) {
        const state =
          m.removedAt === null
            ? m.thisMachine
              ? "成员（本机）"
              : "成员"
            : `已移出 ${shanghaiDateTimeText(m.removedAt)}`;
        process.stdout.write(
          `${m.machineId}\t${m.name}\t${shanghaiDateTimeText(m.joinedAt)}\t${shanghaiDateTimeText(m.lastSeenAt)}\t${state}\n`,
        );
      }
    });

  office
    .command("remove")
    .description("将一台电脑移出办公室（按电脑 ID 或名称）")
    .argument("<电脑>", "taxauth office members 列出的电脑 ID 或名称")
    .action(async (machine: string) => {
      const removed = await withOffice((o) => o.remove(machine));
      process.stdout.write(
        `✔ 已将「${removed.name}」(${removed.machineId}) 移出办公室，它的本地服务将在 1 分钟内停止。\n`,
      );
      process.stdout.write("  该电脑的钥匙串仍保存着办公室密钥：若它可能已落入他人之手，请同时停用它的数据库账号。\n");
    });
}
