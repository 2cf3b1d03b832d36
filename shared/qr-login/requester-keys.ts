import { QR_KEY_ALGORITHM } from "./contract.js";

/**
 * The requester's key pair for 扫码登录, made with WebCrypto (browsers and Node alike). The private
 * key cannot be exported; it only decrypts the challenge (the proof) and the sealed session token.
 */
export interface RequesterKeys {
  /** base64 SPKI DER, for qr.create. */
  publicKey: string;
  /** The decrypted challenge, base64url: the proof for qr.redeem. */
  proofFor(challenge: string): Promise<string>;
  /** The session token sealed to this key at redeem. */
  openToken(sealedToken: string): Promise<string>;
}

export async function newRequesterKeys(): Promise<RequesterKeys> {
  const pair = await crypto.subtle.generateKey(
    { ...QR_KEY_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    false,
    ["encrypt", "decrypt"],
  );
  const decrypt = async (base64: string) =>
    new Uint8Array(await crypto.subtle.decrypt(QR_KEY_ALGORITHM, pair.privateKey, fromBase64(base64)));
  return {
    publicKey: toBase64(new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey))),
    proofFor: async (challenge) =>
      toBase64(await decrypt(challenge))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, ""),
    openToken: async (sealedToken) => new TextDecoder().decode(await decrypt(sealedToken)),
  };
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
