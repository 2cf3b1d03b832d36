import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../../companion/clock.js";
import { shanghaiDate } from "../../shared/dates.js";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { within } from "../support/clock.js";
import { manualClock, type RunningCompanion, runCli, startCompanion, storeOf } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { grantOverApi } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let clock: ReturnType<typeof manualClock>;
let companion: RunningCompanion;
let tin: string;
let rep: TestPerson;
let clerk: TestPerson;
let clientToken: string;

beforeEach(async () => {
  clock = manualClock(Date.now());
  companion = await startCompanion({ clock });
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  const pairing = await pairDesktopClient(companion, await loginToken(companion, clerk));
  clientToken = pairing.clientToken;
  pairing.client.close();
});
afterEach(() => companion.close());

describe("unit sessions end when their access does, without scanning every session", () => {
  it("a 定期 grant's last day: the session ends when the Shanghai date moves on", async () => {
    const today = shanghaiDate(clock.now());
    const made = await grantOverApi(companion, await loginToken(companion, rep), tin, clerk, {
      termType: "定期",
      endDate: today,
    });
    expect(made.status).toBe(200);
    const desk: DesktopClient = await desktopLoggedIn(companion, clientToken, clerk);
    expect((await desk.request("unit.enter", { tin })).via).toBe("grant");
    const ended = desk.nextEvent("unit.ended");
    // Nothing changes at the unit; only the date does (the login stays live: it is used just before).
    clock.advance(DAY);
    await desk.request("ping", {});
    expect(await within(ended, 2_500, "unit.ended")).toEqual({
      event: "unit.ended",
      tin,
      reason: "您对该单位的办税授权已解除或已过期",
    });
    desk.close();
  });

  it("the hall records a new 法定代表人 from another process: the old one's session ends within a second or so", async () => {
    const desk = await desktopLoggedIn(companion, clientToken, rep);
    expect((await desk.request("unit.enter", { tin })).via).toBe("office");
    const other = (await addUnit(companion, { name: "广东QJ1查账" })).tin;
    await setOfficer(companion, { tin: other, role: "法定代表人", person: rep });
    expect((await desk.request("unit.enter", { tin: other })).via).toBe("office");
    const events: unknown[] = [];
    desk.onEvent((event) => events.push(event));
    const successor = newPerson({ name: "赵新任" });
    const started = Date.now();
    await runCli(
      [
        ...["hall", "officer", "set", "--unit", tin, "--role", "法定代表人", "--doc-type", successor.docType],
        ...["--doc-number", successor.docNumber, "--name", successor.name, "--from", "2020-01-02"],
      ],
      storeOf(companion),
    );
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Date.now() - started).toBeLessThan(3_000);
    // Only the unit that changed: the session at the other unit goes on.
    expect(events).toEqual([{ event: "unit.ended", tin, reason: "您已不再是该单位的法定代表人或财务负责人" }]);
    expect(await desk.request("unit.leave", { tin: other })).toEqual({});
    desk.close();
  });
});
