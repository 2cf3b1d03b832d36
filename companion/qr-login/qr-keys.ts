import { constants, createHash, createPublicKey, type KeyObject, publicEncrypt } from "node:crypto";
import { AppError } from "../errors.js";

/**
 * The requester's RSA-OAEP public key (base64 SPKI DER, as WebCrypto exports it). 2048 to 4096
 * bits: smaller keys are too weak, larger ones only cost time.
 */
export function requesterKey(publicKeyBase64: string): { key: KeyObject; fingerprint: string } {
  const der = Buffer.from(publicKeyBase64, "base64");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: "der", type: "spki" });
  } catch {
    throw invalidKey();
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== "rsa" || bits < 2048 || bits > 4096) throw invalidKey();
  return { key, fingerprint: keyFingerprint(der) };
}

/** base64url SHA-256 of the SPKI DER: what the QR code shows of the key. */
export function keyFingerprint(spkiDer: Buffer): string {
  return createHash("sha256").update(spkiDer).digest("base64url");
}

/** RSA-OAEP with SHA-256, as WebCrypto's {name: "RSA-OAEP", hash: "SHA-256"} decrypts it. */
export function sealTo(key: KeyObject, data: Buffer): string {
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, data).toString("base64");
}

function invalidKey(): AppError {
  return new AppError("VALIDATION_FAILED", {
    fields: { publicKey: "公钥格式不正确（需要 2048–4096 位 RSA-OAEP 公钥）" },
  });
}
