import { useState } from "preact/hooks";
import type { DocumentType } from "../../../shared/identity/documents.js";
import { PageShell } from "../../components/PageShell.js";
import { Steps } from "../../components/Steps.js";
import type { PersonSummary } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { AccountStep } from "./AccountStep.js";
import { AgreementStep } from "./AgreementStep.js";
import { DoneStep } from "./DoneStep.js";
import { IdentityStep } from "./IdentityStep.js";

type Step =
  | { step: 0 }
  | { step: 1; notice: string | null }
  | { step: 2; ticket: string; docType: DocumentType }
  | { step: 3; person: PersonSummary };

/** 大厅注册码注册: agreement → identity with the hall code → login name, password, phone → done. */
export function RegisterPage() {
  const [state, setState] = useState<Step>({ step: 0 });
  return (
    <PageShell title={t("registerTitle")}>
      <Steps
        steps={[t("registerStepAgreement"), t("registerStepIdentity"), t("registerStepAccount"), t("registerStepDone")]}
        current={state.step}
      />
      {state.step === 0 ? <AgreementStep onAgree={() => setState({ step: 1, notice: null })} /> : null}
      {state.step === 1 ? (
        <IdentityStep notice={state.notice} onVerified={(ticket, docType) => setState({ step: 2, ticket, docType })} />
      ) : null}
      {state.step === 2 ? (
        <AccountStep
          ticket={state.ticket}
          docType={state.docType}
          onRegistered={(person) => setState({ step: 3, person })}
          onTicketExpired={(notice) => setState({ step: 1, notice })}
        />
      ) : null}
      {state.step === 3 ? <DoneStep person={state.person} /> : null}
    </PageShell>
  );
}
