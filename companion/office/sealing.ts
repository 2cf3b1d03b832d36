import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** AES-256-GCM with a 96-bit random nonce: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
const VERSION = "v1";

/**
 * Seals `plaintext` under a 256-bit key. The associated data names what the value is (and whose),
 * so a sealed value moved to another row or another office does not open.
 */
export function seal(key: Buffer, plaintext: string, associatedData: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, nonce, body, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** The plaintext, or null when the key, the associated data or the sealed text is not the right one. */
export function unseal(key: Buffer, sealed: string, associatedData: string): string | null {
  const [version, nonce, body, tag, ...rest] = sealed.split(".");
  if (version !== VERSION || nonce === undefined || body === undefined || tag === undefined || rest.length > 0) {
    return null;
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

// Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** 25 characters of 5 bits: 125 bits, shown as five groups of five. */
const CODE_LENGTH = 25;
export const JOIN_CODE_BITS = CODE_LENGTH * 5;

/** A fresh join code from the CSPRNG (32 symbols: each byte's low five bits, no bias). */
export function newJoinCode(): string {
  const symbols = [...randomBytes(CODE_LENGTH)].map((byte) => ALPHABET[byte & 31]).join("");
  return symbols.match(/.{5}/g)?.join("-") ?? symbols;
}

/** A code as typed: case, spaces and dashes do not matter; O, I and L read as 0, 1 and 1. */
export function normalizeJoinCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (code.length !== CODE_LENGTH || [...code].some((char) => !ALPHABET.includes(char))) return null;
  return code.match(/.{5}/g)?.join("-") ?? code;
}

/**
 * The key a join code seals the office key under: argon2id (64 MiB, t=3), so even a stolen
 * database row costs a guesser that much per try on top of the code's 125 bits.
 */
export async function joinCodeKey(code: string, salt: Buffer): Promise<Buffer> {
  const { hashRaw } = await import("@node-rs/argon2");
  return hashRaw(code, { algorithm: 2, memoryCost: 65_536, timeCost: 3, parallelism: 1, outputLen: 32, salt });
}
