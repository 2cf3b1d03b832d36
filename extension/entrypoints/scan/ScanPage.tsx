import { useEffect, useState } from "preact/hooks";
import { parseQrLoginText } from "../../../shared/qr-login/contract.js";
import { PageShell } from "../../components/PageShell.js";
import { companion, type QrScanResult } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useSessionToken } from "../../lib/use-session-token.js";
import { CameraScanner } from "./CameraScanner.js";
import { ImagePicker } from "./ImagePicker.js";
import { ScanConfirm } from "./ScanConfirm.js";
import { ScanDone } from "./ScanDone.js";

/**
 * 扫一扫 (扫码登录, the approver's side): a logged-in person scans the QR code another client shows —
 * with the camera, or a picture of it (chosen, dropped or pasted) — sees which client asks and
 * when, and chooses 确认登录 or 取消.
 */
export function ScanPage() {
  const token = useSessionToken();
  return (
    <PageShell title={t("scanTitle")}>
      {token === undefined ? <p class="muted">{t("loading")}</p> : null}
      {token === null ? (
        <p class="notice" data-testid="scan-login-needed">
          {t("scanLoginNeeded")}
        </p>
      ) : null}
      {/* Keyed by the session: a login as someone else starts afresh. */}
      {token ? <ScanFlow key={token} /> : null}
    </PageShell>
  );
}

type Phase =
  | { kind: "scan"; notice: string | null }
  | { kind: "checking" }
  | { kind: "confirm"; request: QrScanResult }
  | { kind: "done"; decision: "confirmed" | "cancelled"; request: QrScanResult };

function ScanFlow() {
  const [phase, setPhase] = useState<Phase>({ kind: "scan", notice: null });
  // What the camera saw and was refused: it stays in front of the lens, so it is not asked again.
  const [refused, setRefused] = useState<string | null>(null);
  // A picture dropped while the confirmation shows must not open in place of this page.
  useEffect(() => {
    const keep = (event: DragEvent) => event.preventDefault();
    document.addEventListener("dragover", keep);
    document.addEventListener("drop", keep);
    return () => {
      document.removeEventListener("dragover", keep);
      document.removeEventListener("drop", keep);
    };
  }, []);

  const scanned = async (text: string) => {
    if (!parseQrLoginText(text.trim())) {
      setRefused(text);
      setPhase({ kind: "scan", notice: t("scanNotLoginQr") });
      return;
    }
    setPhase({ kind: "checking" });
    try {
      setPhase({ kind: "confirm", request: await companion.qrScan(text.trim()) });
    } catch (error) {
      setRefused(text);
      setPhase({ kind: "scan", notice: describeError(error) });
    }
  };
  const rescan = () => setPhase({ kind: "scan", notice: null });

  switch (phase.kind) {
    case "scan":
      return (
        <div class="scan" data-testid="scan-input">
          {phase.notice ? (
            <p class="form-error" role="alert" data-testid="scan-error">
              {phase.notice}
            </p>
          ) : null}
          <CameraScanner ignore={refused} onText={scanned} />
          <ImagePicker
            onText={(text) => {
              setRefused(null);
              void scanned(text);
            }}
            onProblem={(notice) => setPhase({ kind: "scan", notice })}
          />
        </div>
      );
    case "checking":
      return (
        <p class="muted" role="status" data-testid="scan-checking">
          {t("scanChecking")}
        </p>
      );
    case "confirm":
      return (
        <ScanConfirm
          request={phase.request}
          onDecided={(decision) => setPhase({ kind: "done", decision, request: phase.request })}
          onRescan={rescan}
        />
      );
    case "done":
      return <ScanDone decision={phase.decision} request={phase.request} onAgain={rescan} />;
  }
}
