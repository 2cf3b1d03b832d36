import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { SecretVault } from "./secret-vault.js";

/** Passwords are stored only as argon2id hashes (the library's const enum value 2): ≥19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// The native argon2 addon takes ~60 ms to load: load it on the first hash, not at start-up.
const argon2 = () => import("@node-rs/argon2");

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return (await argon2()).verify(passwordHash, password).catch(() => false);
}

/** Random token of 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens carry 256 bits, so a plain digest is enough to store them. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Short codes (注册码, SMS codes, captcha answers) have too little entropy for a plain digest:
 * they are stored as an HMAC under a pepper kept in the secret vault (the OS keychain, or sealed
 * under the office key), never beside them.
 */
export interface CodeHasher {
  digest(purpose: string, code: string): string;
  matches(purpose: string, code: string, digest: string): boolean;
}

export async function loadCodeHasher(vault: SecretVault): Promise<CodeHasher> {
  const pepperHex = await vault.getOrCreate("pepper", () => randomBytes(32).toString("hex"));
  const pepper = Buffer.from(pepperHex, "hex");
  const digest = (purpose: string, code: string) =>
    createHmac("sha256", pepper).update(`${purpose}\0${code}`).digest("hex");
  return {
    digest,
    matches: (purpose, code, expected) => {
      const actual = Buffer.from(digest(purpose, code), "hex");
      const wanted = Buffer.from(expected, "hex");
      return actual.length === wanted.length && timingSafeEqual(actual, wanted);
    },
  };
}

const CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/** Uniformly random code from a CSPRNG (rejection sampling, no modulo bias). */
export function randomCode(length: number, alphabet = CODE_ALPHABET): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 256 - (256 % alphabet.length)) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A password the hall hands out once, to be typed by hand: `length` characters with at least one
 * from each of `classes` (look-alikes such as 0/O, 1/l/I left out of the alphabets given), shuffled.
 */
export function handedOutPassword(classes: readonly string[], length: number): string {
  const all = classes.join("");
  const chars = classes.map((chars) => chars[randomInt(chars.length)] as string);
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}

export const UPPER_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
export const LOWER_LETTERS = "abcdefghjkmnpqrstuvwxyz";
export const DIGITS = "23456789";
