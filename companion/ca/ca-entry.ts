import { randomBytes, verify, X509Certificate } from "node:crypto";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { CaRootStore } from "./ca-root-store.js";

export const CHALLENGE_TTL_MS = 60_000;

/** What the client signs: the purpose, the unit and the server's fresh challenge. */
export const caSignedData = (tin: string, challenge: string) =>
  Buffer.from(`taxauth-ca-entry\n${tin}\n${challenge}`, "utf8");

/** Splits a PEM bundle into certificates. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    throw new AppError("CA_CERTIFICATE_INVALID", {}, "证书格式无效");
  }
}

/** True when a subject attribute (CN, serialNumber, OU, …) holds exactly this 纳税人识别号. */
const namesUnit = (certificate: X509Certificate, tin: string) =>
  certificate.subject.split("\n").some((line) => line.slice(line.indexOf("=") + 1).trim() === tin);

/**
 * CA entry for local units (本市单位): trusted roots set by the hall; the unit's certificate names
 * its 纳税人识别号; the client signs a fresh server challenge with the certificate's key. Chain,
 * validity, name and signature are all checked.
 */
export function caEntryService({ store, clock }: { store: CaRootStore; clock: Clock }) {
  const refuse = (message: string) => new AppError("CA_CERTIFICATE_INVALID", {}, message);

  return {
    async trust(pem: string): Promise<{ fingerprint: string; subject: string }> {
      const [root, ...rest] = parseCertificates(pem);
      if (!root || rest.length > 0) throw new AppError("CA_CERTIFICATE_INVALID", {}, "请提供一个根证书（PEM）");
      if (!root.ca) throw new AppError("CA_CERTIFICATE_INVALID", {}, "该证书不是 CA 证书");
      await store.saveRoot({
        fingerprint: root.fingerprint256,
        subject: root.subject,
        pem: root.toString(),
        addedAt: clock.now(),
      });
      return { fingerprint: root.fingerprint256, subject: root.subject };
    },
    roots: store.roots,

    newChallenge(): string {
      return randomBytes(32).toString("base64url");
    },

    /** Checks a presented chain and signature; returns when the leaf certificate stops being valid. */
    async verify(
      tin: string,
      challenge: string,
      chainPem: string,
      signatureBase64: string,
    ): Promise<{ validUntil: number }> {
      const chain = parseCertificates(chainPem);
      const [leaf] = chain;
      if (!leaf) throw refuse("请提供单位证书");
      const now = clock.now();
      for (const certificate of chain) {
        if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
          throw refuse("证书不在有效期内");
        }
      }
      for (let i = 0; i + 1 < chain.length; i++) {
        const [child, parent] = [chain[i] as X509Certificate, chain[i + 1] as X509Certificate];
        if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey))
          throw refuse("证书链不完整或签名无效");
      }
      const top = chain.at(-1) as X509Certificate;
      const trusted = (await store.rootPems())
        .map((pem) => new X509Certificate(pem))
        .some(
          (root) => root.fingerprint256 === top.fingerprint256 || (top.checkIssued(root) && top.verify(root.publicKey)),
        );
      if (!trusted) throw refuse("证书不是由受信任的CA签发");
      if (!namesUnit(leaf, tin)) throw refuse("证书不属于该纳税人识别号的单位");
      let signatureOk = false;
      try {
        signatureOk = verify(
          "sha256",
          caSignedData(tin, challenge),
          leaf.publicKey,
          Buffer.from(signatureBase64, "base64"),
        );
      } catch {
        signatureOk = false;
      }
      if (!signatureOk) throw refuse("签名校验失败");
      return { validUntil: Date.parse(leaf.validTo) };
    },
  };
}

export type CaEntry = ReturnType<typeof caEntryService>;
