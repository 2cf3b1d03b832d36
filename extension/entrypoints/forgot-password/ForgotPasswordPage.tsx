import { useState } from "preact/hooks";
import { PageShell } from "../../components/PageShell.js";
import { Steps } from "../../components/Steps.js";
import type { ForgotStartResponse } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { DoneStep } from "./DoneStep.js";
import { IdentityStep } from "./IdentityStep.js";
import { ResetStep } from "./ResetStep.js";

type Step = { step: 0; notice: string | null } | { step: 1; started: ForgotStartResponse } | { step: 2 };

/** 忘记密码: identity + captcha → SMS code to the bound phone + new password → unlocked. */
export function ForgotPasswordPage() {
  const [state, setState] = useState<Step>({ step: 0, notice: null });
  return (
    <PageShell title={t("forgotTitle")}>
      <Steps steps={[t("forgotStepIdentity"), t("forgotStepReset"), t("forgotStepDone")]} current={state.step} />
      {state.step === 0 ? (
        <IdentityStep notice={state.notice} onStarted={(started) => setState({ step: 1, started })} />
      ) : null}
      {state.step === 1 ? (
        <ResetStep
          started={state.started}
          onDone={() => setState({ step: 2 })}
          onTicketExpired={(notice) => setState({ step: 0, notice })}
        />
      ) : null}
      {state.step === 2 ? <DoneStep /> : null}
    </PageShell>
  );
}
