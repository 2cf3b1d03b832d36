import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import * as z from "zod";
import { faceIdentitySchema, identitySchema } from "../../shared/api/accounts.js";
import { declarationPasswordSchema } from "../../shared/api/declaration.js";
import { unitTinParamSchema } from "../../shared/api/grants.js";
import { shanghaiDateTimeText } from "../../shared/dates.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import { DOCUMENT_TYPES, type DocumentType, maskDocumentNumber } from "../../shared/identity/documents.js";
import {
  documentNumberSchema,
  documentTypeSchema,
  nationalitySchema,
  personNameSchema,
  phoneSchema,
  withDocumentCheck,
} from "../../shared/identity/schemas.js";
import { generateDeclarationPassword } from "../declaration/passwords.js";
import { AppError, parseInput } from "../errors.js";
import { registerUnitCommands } from "./unit-commands.js";
import { withCore } from "./with-core.js";

const hallIdentitySchema = withDocumentCheck(
  z.object({
    docType: documentTypeSchema,
    docNumber: documentNumberSchema,
    name: personNameSchema,
    nationality: nationalitySchema,
  }),
);

const hallResetSchema = withDocumentCheck(
  identitySchema.extend({ phone: phoneSchema.optional(), unbindPhone: z.boolean().optional() }),
).refine((reset) => !(reset.phone && reset.unbindPhone), {
  path: ["unbindPhone"],
  message: "--phone 与 --unbind-phone 只能选一个",
});

type SlipIdentity = { docType: DocumentType; docNumber: string; name: string };

/** A slip handed to the applicant: who, which matter, what was done, then the identity it was done for. */
function hallSlip(identity: SlipIdentity, matter: string, body: string[], identityIntro: string): string {
  return [
    `申请人\t${identity.name}`,
    `办理事项\t${matter}`,
    ...body,
    identityIntro,
    `姓名：\t${identity.name}`,
    `身份证件类型：\t${identity.docType}`,
    `身份证件号码：\t${maskDocumentNumber(identity.docNumber)}`,
  ].join("\n");
}

/** The slip handed to the applicant, worded as in the seed guide. */
export function registrationSlip(identity: SlipIdentity, code: string, expiresAt: number): string {
  return hallSlip(
    identity,
    "纳税人注册码申请",
    [
      `您的注册码为 ${code} ，有效期为7天（至 ${shanghaiDateTimeText(expiresAt)}），请及时登录自然人税收管理系统进行注册。`,
    ],
    "以下个人信息将作为注册的实名认证信息，请确认无误：",
  );
}

/** What the slip says of the bound phone: kept, replaced by a new one, or unbound (bind one in 安全中心). */
function phoneLine(phone: string | null, changed: boolean): string {
  if (!phone) return `绑定手机：\t未绑定${changed ? "（原手机号码已解除绑定，登录后请在安全中心绑定新手机）" : ""}`;
  return `绑定手机：\t${maskPhone(phone)}${changed ? "（已更换为新手机号码）" : ""}`;
}

/** The slip of a hall password reset: the one-time password, shown only here. */
export function passwordResetSlip(
  person: SlipIdentity & { loginName: string; phone: string | null },
  oneTimePassword: string,
  phoneChanged: boolean,
): string {
  return hallSlip(
    person,
    "密码重置",
    [
      `您的临时密码为 ${oneTimePassword} ，仅用于下次登录，登录后须先修改密码。`,
      `登录名：\t${person.loginName}`,
      phoneLine(person.phone, phoneChanged),
      "该账户在浏览器扩展和桌面客户端上的登录均已退出，账号锁定已解除。",
    ],
    "以上密码重置依据以下有效身份证件办理：",
  );
}

export function registerHallCommands(program: Command): void {
  const hall = program.command("hall").description("办税服务厅操作");

  const code = hall.command("code").description("注册码");
  code
    .command("issue")
    .description("发放大厅注册码（7天有效，新码取代旧码）")
    .requiredOption("--doc-type <type>", `证件类型: ${DOCUMENT_TYPES.join(" | ")}`)
    .requiredOption("--doc-number <number>", "证件号码")
    .requiredOption("--name <name>", "姓名")
    .option("--nationality <nationality>", "国籍", "中国")
    .action(async (options: { docType: string; docNumber: string; name: string; nationality: string }) => {
      const identity = parseInput(hallIdentitySchema, options);
      await withCore(async (core) => {
        if (await core.people.byDocument(identity.docType, identity.docNumber)) {
          throw new AppError("ALREADY_REGISTERED");
        }
        const issued = await core.registrationCodes.issue(identity);
        process.stdout.write(`${registrationSlip(identity, issued.code, issued.expiresAt)}\n`);
      });
    });

  hall
    .command("sms-outbox")
    .description("查看短信发件箱（未配置短信网关时，短信保存在这里）")
    .option("--phone <phone>", "只看这个手机号")
    .option("--last <n>", "只看最后 n 条", (value) => Number(value))
    .action(async (options: { phone?: string; last?: number }) => {
      const outbox = await withCore((core) => core.smsOutbox.read());
      let entries = outbox.filter((entry) => !options.phone || entry.phone === options.phone);
      if (options.last && options.last > 0) entries = entries.slice(-options.last);
      if (entries.length === 0) process.stdout.write("短信发件箱为空\n");
      for (const entry of entries) process.stdout.write(`${entry.at}\t${entry.phone}\t${entry.text}\n`);
    });

  registerUnitCommands(hall);

  hall
    .command("declaration-password")
    .description("申报密码")
    .command("issue")
    .description("发放申报密码：自动生成（只显示这一次）或使用 --password 给定的密码")
    .requiredOption("--unit <纳税人识别号>", "单位")
    .option("--password <申报密码>", "8-20位字母和数字，须同时包含两者")
    .action(async (options: { unit: string; password?: string }) => {
      const { tin } = parseInput(unitTinParamSchema, { tin: options.unit });
      const password = options.password ?? generateDeclarationPassword();
      parseInput(z.object({ password: declarationPasswordSchema }), { password });
      await withCore(async (core) => {
        await core.units.requireUnit(tin);
        await core.declarationPasswords.set(tin, password);
      });
      process.stdout.write(
        options.password
          ? `已设置 ${tin} 的申报密码\n`
          : `${tin} 的申报密码为 ${password}（只显示这一次，请当面交给申请人）\n`,
      );
    });

  hall
    .command("portrait")
    .description("公安人像库（本地）")
    .command("enroll")
    .description("录入居民身份证持有人的人像（只保存人脸特征，不保存照片），供人脸识别认证注册比对")
    .requiredOption("--doc-number <number>", "居民身份证号码")
    .requiredOption("--name <name>", "姓名")
    .requiredOption("--photo <file>", "人像照片（JPEG、PNG 或 WebP，只有本人一张脸）")
    .action(async (options: { docNumber: string; name: string; photo: string }) => {
      const identity = parseInput(faceIdentitySchema, { docType: "居民身份证", ...options });
      const photo = await readFile(options.photo).catch(() => {
        throw new Error(`无法读取照片: ${options.photo}`);
      });
      await withCore(async (core) => {
        const faces = await core.faceModel.faces(photo);
        if (faces.length === 0) throw new AppError("FACE_NOT_FOUND");
        if (faces.length > 1) throw new AppError("FACE_MULTIPLE");
        await core.portraitReferences.enroll(identity.docNumber, identity.name, faces[0]!.descriptor);
      });
      process.stdout.write(`已录入 ${identity.name} 的人像（只保存人脸特征，照片未保存）\n`);
    });

  hall
    .command("password")
    .description("登录密码")
    .command("reset")
    .description(
      "到办税服务厅重置密码：核对有效身份证件后设置临时密码（只显示这一次，下次登录须修改），退出其所有登录并解除锁定",
    )
    .requiredOption("--doc-type <type>", `证件类型: ${DOCUMENT_TYPES.join(" | ")}`)
    .requiredOption("--doc-number <number>", "证件号码")
    .requiredOption("--name <name>", "姓名")
    .option("--phone <手机号码>", "同时绑定新的手机号码（原手机丢失时）")
    .option("--unbind-phone", "同时解除绑定原手机号码（原手机丢失，且暂无新号码时；登录后在安全中心绑定）")
    .action(
      async (options: { docType: string; docNumber: string; name: string; phone?: string; unbindPhone?: boolean }) => {
        const request = parseInput(hallResetSchema, options);
        await withCore(async (core) => {
          const { person, oneTimePassword, phoneChanged } = await core.passwordReset.atHall(request);
          process.stdout.write(`${passwordResetSlip(person, oneTimePassword, phoneChanged)}\n`);
        });
      },
    );

  hall
    .command("unlock")
    .description("解除账号的密码锁定（持有效身份证件到大厅办理）")
    .requiredOption("--account <account>", "手机号码 / 证件号码 / 登录名")
    .action(async (options: { account: string }) => {
      await withCore(async (core) => {
        const person = await core.passwordReset.unlock(options.account);
        process.stdout.write(`已解除锁定: ${person.loginName}\n`);
      });
    });
}
