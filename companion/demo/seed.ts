import type { Unit } from "../../shared/api/grants.js";
import { addDays, shanghaiDate } from "../../shared/dates.js";
import { gb11643CheckDigit } from "../../shared/identity/documents.js";
import { gb32100CheckChar } from "../../shared/identity/tin.js";
import type { Core } from "../core.js";
import { readOutbox } from "../sms/gateway.js";

/** A demo account, printed when the demo starts so a new user can log in as each role. */
export interface DemoAccount {
  role: string;
  name: string;
  loginName: string;
  phone: string;
  password: string;
}

const tin = (first17: string) => first17 + gb32100CheckChar(first17);
const idNumber = (first17: string) => first17 + gb11643CheckDigit(first17);

/** The seed guide's 单位管理 example (单位总数: 6). */
export const DEMO_UNITS: Unit[] = [
  {
    tin: tin("91441000MA4W00004"),
    name: "广东QJ4核定4",
    departments: [],
    departmentFiling: "未备案",
    comprehensiveIncome: "待申报",
    businessIncome: "",
  },
  {
    tin: tin("91441000MA4W00001"),
    name: "广东QJ1查账",
    departments: [],
    departmentFiling: "未备案",
    comprehensiveIncome: "待申报",
    businessIncome: "",
  },
  {
    tin: tin("91450300MA5P00001"),
    name: "广东QJ云合伙",
    departments: ["1"],
    departmentFiling: "已启用",
    comprehensiveIncome: "待申报",
    businessIncome: "待申报",
  },
  {
    tin: tin("91441000MA4W00005"),
    name: "广东QJ5核定1",
    departments: [],
    departmentFiling: "未备案",
    comprehensiveIncome: "待申报",
    businessIncome: "",
  },
  {
    tin: tin("91441000MA4W00002"),
    name: "广东QJ2查账",
    departments: [],
    departmentFiling: "未备案",
    comprehensiveIncome: "待申报",
    businessIncome: "",
  },
  {
    tin: tin("91441000MA4W00003"),
    name: "广东QJ3核定",
    departments: [],
    departmentFiling: "未备案",
    comprehensiveIncome: "待申报",
    businessIncome: "",
  },
];

const PEOPLE = [
  {
    key: "rep",
    role: "法定代表人（全部单位）",
    name: "王建国",
    docNumber: idNumber("44010119700101001"),
    loginName: "wangjianguo",
    phone: "13800000001",
  },
  {
    key: "finance",
    role: "财务负责人（QJ4、QJ1）",
    name: "李秀梅",
    docNumber: idNumber("44010119800202002"),
    loginName: "lixiumei",
    phone: "13800000002",
  },
  {
    key: "manager",
    role: "管理权限（QJ1，至月底）",
    name: "陈志强",
    docNumber: idNumber("44010119850303003"),
    loginName: "chenzhiqiang",
    phone: "13800000003",
  },
  {
    key: "clerk",
    role: "办税人员",
    name: "宋晓明",
    docNumber: idNumber("44010119900404004"),
    loginName: "songxiaoming",
    phone: "13800000004",
  },
  {
    key: "newcomer",
    role: "办税人员（尚无授权）",
    name: "赵敏",
    docNumber: idNumber("44010119950505005"),
    loginName: "zhaomin",
    phone: "13800000005",
  },
] as const;

export const DEMO_PASSWORD = "Demo#2026pass";

/**
 * Loads the seed's example units, their officers and clerks into an empty companion, through the
 * same domain code the hall CLI and the HTTP API use (registration with a hall code and SMS code,
 * grants by the legal rep).
 */
export async function seedDemo(core: Core): Promise<DemoAccount[]> {
  const today = shanghaiDate(core.clock.now());
  for (const unit of DEMO_UNITS) await core.units.saveUnit(unit);

  const ids = new Map<string, { id: string; docNumber: string; name: string }>();
  for (const person of PEOPLE) {
    const identity = {
      docType: "居民身份证" as const,
      docNumber: person.docNumber,
      name: person.name,
      nationality: "中国",
    };
    const { code } = await core.registrationCodes.issue(identity);
    const { registrationTicket } = await core.registration.verify({ ...identity, registrationCode: code });
    await core.registration.sendSms(registrationTicket, person.phone);
    const sms = readOutbox(core.config.dataDir)
      .filter((entry) => entry.phone === person.phone)
      .at(-1)
      ?.text.match(/验证码 (\d{6})/)?.[1];
    const registered = await core.registration.complete({
      registrationTicket,
      loginName: person.loginName,
      password: DEMO_PASSWORD,
      phone: person.phone,
      smsCode: sms ?? "",
    });
    ids.set(person.key, { id: registered.id, docNumber: person.docNumber, name: person.name });
  }

  const who = (key: string) => ids.get(key) as { id: string; docNumber: string; name: string };
  await core.sql.transaction(async () => {
    for (const unit of DEMO_UNITS) {
      await core.units.setOfficer({
        unitTin: unit.tin,
        role: "法定代表人",
        docType: "居民身份证",
        docNumber: who("rep").docNumber,
        name: who("rep").name,
        startDate: "2019-01-01",
        endDate: null,
      });
    }
    for (const unit of DEMO_UNITS.slice(0, 2)) {
      await core.units.setOfficer({
        unitTin: unit.tin,
        role: "财务负责人",
        docType: "居民身份证",
        docNumber: who("finance").docNumber,
        name: who("finance").name,
        startDate: "2020-03-01",
        endDate: null,
      });
    }
  });

  const person = (key: string) => ({
    docType: "居民身份证" as const,
    docNumber: who(key).docNumber,
    name: who(key).name,
  });
  const [qj4, qj1, qjCloud] = DEMO_UNITS as [Unit, Unit, Unit];
  await core.grants.add(who("rep").id, qj4.tin, {
    ...person("clerk"),
    permission: "办税权限",
    termType: "长期",
    startDate: today,
  });
  await core.grants.add(who("rep").id, qjCloud.tin, {
    ...person("clerk"),
    permission: "办税权限",
    termType: "定期",
    startDate: today,
    endDate: addDays(today, 5),
  });
  await core.grants.add(who("rep").id, qj1.tin, {
    ...person("manager"),
    permission: "管理权限",
    termType: "定期",
    startDate: today,
    endDate: addDays(today, 30),
  });
  await core.grants.add(who("manager").id, qj1.tin, {
    ...person("clerk"),
    permission: "办税权限",
    termType: "定期",
    startDate: today,
    endDate: addDays(today, 30),
  });

  return PEOPLE.map((p) => ({
    role: p.role,
    name: p.name,
    loginName: p.loginName,
    phone: p.phone,
    password: DEMO_PASSWORD,
  }));
}
