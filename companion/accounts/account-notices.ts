import { shanghaiDate, shanghaiTime } from "../../shared/dates.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { EventHub } from "../events/hub.js";
import type { SmsGateway } from "../sms/gateway.js";
import type { Person } from "./people.js";

/** `YYYY-MM-DD HH:MM` in Asia/Shanghai, as the texts to the person say it. */
const shanghaiMinute = (at: number) => `${shanghaiDate(at)} ${shanghaiTime(at)}`;

/** The text that tells the old number it was replaced, and what to do if the person did not do it. */
export const phoneReplacedNotice = (newPhone: string, at: number) =>
  `【个人所得税】您的账户绑定的手机号码已于${shanghaiMinute(at)}更换为${maskPhone(newPhone)}，本号码不再用于登录和找回密码。如非本人操作，请携带有效身份证件到本地办税服务厅处理。`;

/** The text that tells the bound phone the account was locked, with the seed's ways out (no code in it). */
export const accountLockedNotice = (at: number) =>
  `【个人所得税】您的账户于${shanghaiMinute(at)}因密码错误超过5次(含)已被锁定，可以在120分钟之后再试，也可以通过【忘记密码】功能解锁账号。若通过此功能仍无法找回密码，请携带有效身份证件到本地办税服务厅进行密码重置。如非本人操作，说明有人在尝试您的密码，请解锁后及时修改密码。`;

export interface LockNoticeDeps {
  sms: SmsGateway;
  hub: Pick<EventHub, "publish">;
}

/**
 * Tells the holder their account was locked: a text to the bound phone and an event to wherever
 * they are logged in (the popup shows it). Never awaited by the refusal it follows: the answer to
 * the try must not wait for (or be slowed by) a text, which would tell that this try locked an
 * account. A text that cannot be sent is not retried; the event still reaches a logged-in holder.
 */
export function lockNotices(deps: LockNoticeDeps) {
  return function accountLocked(person: Pick<Person, "id" | "phone">, lockedUntil: number, at: number): void {
    deps.hub.publish([person.id], { type: "account-locked", lockedUntil: new Date(lockedUntil).toISOString() });
    if (person.phone) void deps.sms.send(person.phone, accountLockedNotice(at)).catch(() => undefined);
  };
}

export type AccountLockedNotice = ReturnType<typeof lockNotices>;
