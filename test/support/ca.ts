import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its private key, made with the openssl command line. */
export interface TestCertificate {
  pem: string;
  keyPem: string;
}

const openssl = (dir: string, ...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

/** A root CA, an intermediate CA, and certificates they issue (EC P-256, SHA-256). */
export function testPki() {
  const dir = mkdtempSync(join(tmpdir(), "taxauth-pki-"));
  const caExtensions = join(dir, "ca.ext");
  writeFileSync(caExtensions, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  let serial = 1;

  function issue(
    name: string,
    subject: string,
    issuer: TestCertificate | null,
    ca: boolean,
    days = 30,
  ): TestCertificate {
    openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
    if (issuer === null) {
      openssl(
        dir,
        "req",
        "-new",
        "-x509",
        "-key",
        `${name}.key`,
        "-subj",
        subject,
        "-days",
        String(days),
        "-sha256",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        `${name}.pem`,
      );
    } else {
      writeFileSync(join(dir, "issuer.pem"), issuer.pem);
      writeFileSync(join(dir, "issuer.key"), issuer.keyPem);
      openssl(dir, "req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`);
      openssl(
        dir,
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "issuer.pem",
        "-CAkey",
        "issuer.key",
        "-set_serial",
        String(serial++),
        "-days",
        String(days),
        "-sha256",
        ...(ca ? ["-extfile", caExtensions] : []),
        "-out",
        `${name}.pem`,
      );
    }
    return {
      pem: readFileSync(join(dir, `${name}.pem`), "utf8"),
      keyPem: readFileSync(join(dir, `${name}.key`), "utf8"),
    };
  }

  const root = issue("root", "/C=CN/O=测试CA/CN=测试根证书", null, true, 3650);
  const intermediate = issue("intermediate", "/C=CN/O=测试CA/CN=测试中级证书", root, true, 1825);
  return {
    root,
    intermediate,
    /** A unit certificate naming the 纳税人识别号 in its subject serialNumber, issued by the intermediate. */
    unitCertificate: (tin: string, name = "广东QJ4核定4", days = 30) =>
      issue(`unit-${serial}`, `/C=CN/O=${name}/serialNumber=${tin}/CN=${name}`, intermediate, false, days),
    /** A root nobody trusts, and a unit certificate from it. */
    strangerUnitCertificate: (tin: string) => {
      const stranger = issue(`stranger-${serial}`, "/C=CN/CN=不受信任的CA", null, true, 3650);
      return { stranger, unit: issue(`stranger-unit-${serial}`, `/C=CN/serialNumber=${tin}/CN=x`, stranger, false) };
    },
  };
}
