import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { type Keychain, KeychainUnavailableError } from "../keychain/keychain.js";
import type { SecretVault } from "../security/secret-vault.js";
import type { OfficeMember, OfficeStore } from "./office-store.js";
import { joinCodeKey, newJoinCode, normalizeJoinCode, seal, unseal } from "./sealing.js";

/** A join code is good for 15 minutes. */
export const INVITE_TTL_MS = 15 * 60_000;
/** Wrong codes tried while an invitation is open, before it is void. */
export const INVITE_MAX_TRIES = 5;
/** Invitations open at once: each wrong code costs one key derivation per open invitation. */
const MAX_OPEN_INVITES = 5;
const KEY_CHECK = "taxauth office key";

export interface OfficeDeps {
  store: OfficeStore;
  keychain: Keychain;
  clock: Clock;
}

/** This machine's standing in the office, once its key has been checked against the database. */
export interface Membership {
  officeId: string;
  machineId: string;
  key: Buffer;
}

export interface OfficeMemberView extends OfficeMember {
  thisMachine: boolean;
}

const keyAccount = (officeId: string) => `office-key:${officeId}`;
const machineAccount = (officeId: string) => `office-machine:${officeId}`;
const keyCheckData = (officeId: string) => `office-key-check:${officeId}`;
const inviteData = (officeId: string, inviteId: string) => `office-invite:${officeId}:${inviteId}`;

/**
 * The office: the machines that share one database, each holding the office key in its own OS
 * keychain. The key seals the shared secrets in the database; a new machine receives it through a
 * one-time join code, which seals the key for 15 minutes.
 */
export function officeService({ store, keychain, clock }: OfficeDeps) {
  const fromKeychain = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => Promise.reject(new KeychainUnavailableError(error)));

  async function officeRow() {
    const office = await store.office();
    if (!office) throw new AppError("OFFICE_NOT_SET_UP");
    return office;
  }

  /** This machine's membership; refused when it never joined, holds another key, or was removed. */
  async function membership(): Promise<Membership> {
    const office = await officeRow();
    const [keyHex, machineId] = await fromKeychain(
      Promise.all([keychain.get(keyAccount(office.id)), keychain.get(machineAccount(office.id))]),
    );
    if (!keyHex || !machineId) throw new AppError("OFFICE_NOT_MEMBER");
    const key = Buffer.from(keyHex, "hex");
    if (unseal(key, office.keyCheck, keyCheckData(office.id)) !== KEY_CHECK) throw new AppError("OFFICE_KEY_MISMATCH");
    const member = await store.member(machineId);
    if (!member) throw new AppError("OFFICE_NOT_MEMBER");
    if (member.removedAt !== null) throw new AppError("OFFICE_MEMBERSHIP_ENDED");
    return { officeId: office.id, machineId, key };
  }

  /** Keeps the key and this machine's id in the keychain. */
  async function remember(officeId: string, key: Buffer, machineId: string): Promise<void> {
    await fromKeychain(keychain.set(keyAccount(officeId), key.toString("hex")));
    await fromKeychain(keychain.set(machineAccount(officeId), machineId));
  }
  const forget = (officeId: string) => forgetOfficeKey(keychain, officeId);

  return {
    membership,

    /** The first machine: a new office key in this keychain, the office and this machine recorded. */
    async init(machineName: string): Promise<{ officeId: string; machineId: string }> {
      if (await store.office()) throw new AppError("OFFICE_EXISTS");
      const officeId = randomUUID();
      const machineId = randomUUID();
      const key = randomBytes(32);
      await remember(officeId, key, machineId);
      const now = clock.now();
      const created = await store
        .transaction(async () => {
          const made = await store.createOffice({
            id: officeId,
            createdAt: now,
            keyCheck: seal(key, KEY_CHECK, keyCheckData(officeId)),
          });
          if (made) await store.addMember(machineId, machineName, now);
          return made;
        })
        .catch(async (error: unknown) => {
          await forget(officeId);
          throw error;
        });
      if (!created) {
        await forget(officeId);
        throw new AppError("OFFICE_EXISTS");
      }
      return { officeId, machineId };
    },

    /** A one-time join code for a new machine, valid 15 minutes. */
    async invite(): Promise<{ code: string; expiresAt: number }> {
      const { officeId, machineId, key } = await membership();
      const now = clock.now();
      await store.forgetInvitesBefore(now - INVITE_TTL_MS);
      if ((await store.pendingInvites(now, INVITE_MAX_TRIES)) >= MAX_OPEN_INVITES) {
        throw new AppError("OFFICE_INVITES_FULL");
      }
      const code = newJoinCode();
      const salt = randomBytes(16);
      const id = randomUUID();
      const sealedKey = seal(await joinCodeKey(code, salt), key.toString("hex"), inviteData(officeId, id));
      const expiresAt = now + INVITE_TTL_MS;
      await store.insertInvite({
        id,
        salt: salt.toString("base64url"),
        sealedKey,
        invitedBy: machineId,
        createdAt: now,
        expiresAt,
      });
      return { code, expiresAt };
    },

    /**
     * A new machine joins with a code: each try is counted against every open invitation before
     * the (slow) check, so guesses in parallel are limited too; the one it opens is used up.
     */
    async join(typedCode: string, machineName: string): Promise<{ officeId: string; machineId: string }> {
      const office = await officeRow();
      const already = await membership().then(
        () => true,
        (error: unknown) => {
          if (error instanceof AppError && ["OFFICE_NOT_MEMBER", "OFFICE_MEMBERSHIP_ENDED"].includes(error.code)) {
            return false;
          }
          throw error;
        },
      );
      if (already) throw new AppError("OFFICE_ALREADY_MEMBER");
      const code = normalizeJoinCode(typedCode);
      if (code === null) throw new AppError("OFFICE_JOIN_CODE_INVALID");
      const reserved = await store.reserveInvites(clock.now(), INVITE_MAX_TRIES);
      for (const invite of reserved) {
        const wrapping = await joinCodeKey(code, Buffer.from(invite.salt, "base64url"));
        const keyHex = unseal(wrapping, invite.sealedKey, inviteData(office.id, invite.id));
        if (keyHex === null) continue;
        const key = Buffer.from(keyHex, "hex");
        if (unseal(key, office.keyCheck, keyCheckData(office.id)) !== KEY_CHECK) continue;
        const machineId = randomUUID();
        await remember(office.id, key, machineId);
        const joined = await store
          .transaction(async () => {
            const now = clock.now();
            const used = await store.useInvite(invite.id, machineId, now);
            if (used) await store.addMember(machineId, machineName, now);
            return used;
          })
          .catch(async (error: unknown) => {
            await forget(office.id);
            throw error;
          });
        if (!joined) break;
        return { officeId: office.id, machineId };
      }
      await forget(office.id).catch(() => undefined);
      throw new AppError("OFFICE_JOIN_CODE_INVALID");
    },

    async members(): Promise<OfficeMemberView[]> {
      const { machineId } = await membership();
      return (await store.members()).map((member) => ({ ...member, thisMachine: member.machineId === machineId }));
    },

    /** Ends a machine's membership (by id, or by name when that names one machine). */
    async remove(machine: string): Promise<OfficeMember> {
      const self = await membership();
      const members = (await store.members()).filter((m) => m.removedAt === null);
      const byId = members.find((m) => m.machineId === machine);
      const byName = members.filter((m) => m.name === machine);
      const target = byId ?? (byName.length === 1 ? byName[0] : undefined);
      if (!target) throw new AppError("OFFICE_MEMBER_NOT_FOUND");
      if (target.machineId === self.machineId) throw new AppError("OFFICE_REMOVE_SELF");
      await store.removeMember(target.machineId, clock.now());
      return target;
    },

    /** Marks this machine seen; false once its membership has ended. */
    touch: async (machineId: string) => (await store.touchMember(machineId, clock.now())) === 1,
  };
}

export type Office = ReturnType<typeof officeService>;

/** Removes the office key and machine id from a keychain (a failed join; the end of a demo). */
export async function forgetOfficeKey(keychain: Keychain, officeId: string): Promise<void> {
  await keychain.delete(keyAccount(officeId)).catch(() => false);
  await keychain.delete(machineAccount(officeId)).catch(() => false);
}

/** Sealing under the office key, each value named (the name and the office are its associated data). */
export interface OfficeSealer {
  seal(name: string, value: string): string;
  /** Null when the sealed text is not this office's value of that name. */
  open(name: string, sealed: string): string | null;
}

export function officeSealer({ officeId, key }: Membership): OfficeSealer {
  const data = (name: string) => `office-secret:${officeId}:${name}`;
  return {
    seal: (name, value) => seal(key, value, data(name)),
    open: (name, sealed) => unseal(key, sealed, data(name)),
  };
}

/**
 * The shared secrets in the database, each sealed under the office key with its name (and the
 * office) as associated data: a dump alone opens none, and none opens under another name.
 */
export function sealedVault(store: OfficeStore, membership: Membership, clock: Clock): SecretVault {
  const sealer = officeSealer(membership);
  const open = (name: string, sealed: string): string => {
    const value = sealer.open(name, sealed);
    // Not ours: changed in the database, or sealed by another office.
    if (value === null) throw new AppError("OFFICE_KEY_MISMATCH");
    return value;
  };
  return {
    async get(name) {
      const sealed = await store.sealedSecret(name);
      return sealed === undefined ? null : open(name, sealed);
    },
    async set(name, value) {
      await store.putSealedSecret(name, sealer.seal(name, value), clock.now());
    },
    async getOrCreate(name, create) {
      await store.addSealedSecret(name, sealer.seal(name, create()), clock.now());
      const sealed = await store.sealedSecret(name);
      if (sealed === undefined) throw new AppError("OFFICE_KEY_MISMATCH");
      return open(name, sealed);
    },
  };
}
