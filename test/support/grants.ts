import { randomUUID } from "node:crypto";
import { newGrant } from "../../companion/grants/store.js";
import { api, type RunningCompanion } from "./companion.js";
import { newIdNumber, type TestPerson } from "./people.js";

/** 新增授权 of a registered person: 办税权限, 长期 from 2020-01-01 unless `extra` says otherwise. */
export const grantRequest = (
  person: Pick<TestPerson, "docType" | "docNumber" | "name">,
  extra: Record<string, unknown> = {},
) => ({
  docType: person.docType,
  docNumber: person.docNumber,
  name: person.name,
  permission: "办税权限",
  termType: "长期",
  startDate: "2020-01-01",
  ...extra,
});

/** A manager grants over the HTTP API, as the manage page does. */
export const grantOverApi = (
  companion: RunningCompanion,
  token: string,
  tin: string,
  person: Pick<TestPerson, "docType" | "docNumber" | "name">,
  extra: Record<string, unknown> = {},
) => api(companion, `/api/units/${tin}/grants`, { token, body: grantRequest(person, extra) });

/**
 * Many grantees at once: people written straight to the store (they never log in), each granted
 * 办税权限 at the unit by `grantor` — for lists longer than a page.
 */
export async function seedGrantees(
  companion: RunningCompanion,
  grantor: Pick<TestPerson, "docType" | "docNumber">,
  tin: string,
  names: string[],
): Promise<void> {
  const { people, grants } = companion.app.core;
  const grantorId = (await people.byDocument(grantor.docType, grantor.docNumber))?.id as string;
  for (const name of names) {
    const id = randomUUID();
    const now = Date.now();
    await people.insert({
      id,
      docType: "居民身份证",
      docNumber: newIdNumber(),
      name,
      nationality: "中国",
      loginName: `seeded_${randomUUID().slice(0, 8)}`,
      phone: null,
      passwordHash: "unused",
      registeredVia: "hall-code",
      createdAt: now,
    });
    await grants.store.insert(
      newGrant(
        {
          unitTin: tin,
          granteeId: id,
          permission: "办税权限",
          termType: "长期",
          startDate: "2020-01-01",
          endDate: null,
          grantedBy: grantorId,
          grantedAs: "法定代表人",
          grantorGrantId: null,
        },
        now,
      ),
    );
  }
}
