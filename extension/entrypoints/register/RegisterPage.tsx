import { useState } from "preact/hooks";
import type { DocumentType } from "../../../shared/identity/documents.js";
import { PageShell } from "../../components/PageShell.js";
import { Steps } from "../../components/Steps.js";
import type { PersonSummary } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { AccountStep } from "./AccountStep.js";
import { AgreementStep, type RegisterMethod } from "./AgreementStep.js";
import { DoneStep } from "./DoneStep.js";
import { FaceCaptureStep } from "./FaceCaptureStep.js";
import { type FaceIdentity, FaceIdentityStep } from "./FaceIdentityStep.js";
import { IdentityStep } from "./IdentityStep.js";

type State =
  | { kind: "agreement" }
  | { kind: "identity"; notice: string | null }
  | { kind: "face"; identity: FaceIdentity }
  | { kind: "account"; ticket: string; docType: DocumentType }
  | { kind: "done"; person: PersonSummary };

/**
 * 实名注册, two ways to prove who one is, then the same account step:
 * 大厅注册码注册 — agreement → identity with the hall code → account → done;
 * 人脸识别认证注册 — agreement → identity (居民身份证) → 人脸识别 → account → done.
 */
export function RegisterPage() {
  const [method, setMethod] = useState<RegisterMethod>("hall-code");
  const [state, setState] = useState<State>({ kind: "agreement" });
  const steps =
    method === "face"
      ? [
          t("registerStepAgreement"),
          t("registerStepIdentity"),
          t("registerStepFace"),
          t("registerStepAccount"),
          t("registerStepDone"),
        ]
      : [t("registerStepAgreement"), t("registerStepIdentity"), t("registerStepAccount"), t("registerStepDone")];
  const order: State["kind"][] =
    method === "face"
      ? ["agreement", "identity", "face", "account", "done"]
      : ["agreement", "identity", "account", "done"];
  const backToIdentity = (notice: string | null) => setState({ kind: "identity", notice });
  return (
    <PageShell title={method === "face" ? t("registerMethodFace") : t("registerTitle")}>
      <Steps steps={steps} current={order.indexOf(state.kind)} />
      {state.kind === "agreement" ? (
        <AgreementStep
          onAgree={(chosen) => {
            setMethod(chosen);
            backToIdentity(null);
          }}
        />
      ) : null}
      {state.kind === "identity" && method === "hall-code" ? (
        <IdentityStep
          notice={state.notice}
          onVerified={(ticket, docType) => setState({ kind: "account", ticket, docType })}
        />
      ) : null}
      {state.kind === "identity" && method === "face" ? (
        <FaceIdentityStep notice={state.notice} onStart={(identity) => setState({ kind: "face", identity })} />
      ) : null}
      {state.kind === "face" ? (
        <FaceCaptureStep
          identity={state.identity}
          onVerified={(ticket) => setState({ kind: "account", ticket, docType: "居民身份证" })}
          onBack={() => backToIdentity(null)}
        />
      ) : null}
      {state.kind === "account" ? (
        <AccountStep
          ticket={state.ticket}
          docType={state.docType}
          onRegistered={(person) => setState({ kind: "done", person })}
          onTicketExpired={backToIdentity}
        />
      ) : null}
      {state.kind === "done" ? <DoneStep person={state.person} /> : null}
    </PageShell>
  );
}
