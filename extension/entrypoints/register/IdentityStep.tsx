import { registerVerifyRequestSchema } from "../../../shared/api/accounts.js";
import { checkNationality } from "../../../shared/identity/account-rules.js";
import type { DocumentType } from "../../../shared/identity/documents.js";
import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { IdentityFields, identityValues, useIdentityFields } from "../../components/IdentityFields.js";
import { TextField } from "../../components/TextField.js";
import { checkWith } from "../../lib/check-with.js";
import { CompanionError, companion } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useCaptchaGate } from "../../lib/use-captcha.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

const CHINA = "中国";

/**
 * 注册码, 证件类型, 证件号码, 姓名, 国籍 → the companion checks them against the hall code; after a
 * wrong code for the document, each try needs a captcha too.
 */
export function IdentityStep({
  notice,
  onVerified,
}: {
  notice: string | null;
  onVerified(ticket: string, docType: DocumentType): void;
}) {
  const registrationCode = useField("", checkWith(registerVerifyRequestSchema.shape.registrationCode));
  const identity = useIdentityFields();
  const nationality = useField(CHINA, (v) => checkNationality(identity.docType, v));
  const gate = useCaptchaGate();

  // Chinese documents mean 中国, a foreign one never does (the shared rule says which): prefill.
  const setDocType = (docType: DocumentType) => {
    identity.setDocType(docType);
    if (checkNationality(docType, CHINA) === null) nationality.set(CHINA);
    else if (nationality.value.trim() === CHINA) nationality.set("");
  };

  const verify = useAction(
    async () => {
      const values = identityValues(identity);
      const result = await companion.registerVerify({
        registrationCode: registrationCode.value.trim(),
        ...values,
        nationality: nationality.value.trim(),
        ...gate.answer(),
      });
      onVerified(result.registrationTicket, values.docType);
    },
    {
      initialError: notice,
      onError: (err) => {
        if (gate.refused(err instanceof CompanionError ? err.body : null)) return null;
        const fields = { registrationCode, docNumber: identity.docNumber, name: identity.name, nationality };
        return applyFieldErrors(fields, fieldErrors(err)) ? null : describeError(err);
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    const fields = [registrationCode, identity.docNumber, identity.name, nationality];
    if (validateAll(gate.needed ? [...fields, gate.field] : fields)) void verify.run();
  };

  return (
    <form class="step-body form-grid" onSubmit={submit} noValidate>
      <TextField
        id="registrationCode"
        label={t("fieldRegistrationCode")}
        field={registrationCode}
        placeholder={t("registrationCodePlaceholder")}
        maxLength={6}
      />
      <IdentityFields identity={{ ...identity, setDocType }} />
      <TextField id="nationality" label={t("fieldNationality")} field={nationality} maxLength={50} />
      {gate.needed ? <CaptchaField captcha={gate.captcha} field={gate.field} /> : null}
      <FormError message={verify.error} />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="identity-next" disabled={verify.busy}>
          {t("next")}
        </button>
      </div>
    </form>
  );
}
