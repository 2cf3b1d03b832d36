import { FormError } from "../../components/FormError.js";
import { TextField } from "../../components/TextField.js";
import { companion, type PairingMatch } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useField, validateAll } from "../../lib/use-field.js";

const PAIRING_CODE = /^\d{6}$/;

/**
 * 配对码: the person types the code their desktop client shows. Only that code reaches its
 * request; the popup never lists them, so a flood of requests cannot offer a wrong one to click.
 */
interface PairingCodeFormProps {
  onFound(match: PairingMatch, code: string): void;
  /** Why the person is back here (the request they found went away meanwhile). */
  initialError: string | null;
}

export function PairingCodeForm({ onFound, initialError }: PairingCodeFormProps) {
  const code = useField("", (value) => (PAIRING_CODE.test(value.trim()) ? null : t("pairingCodeInvalid")));
  const find = useAction(
    async () => {
      const typed = code.value.trim();
      onFound(await companion.findPairing(typed), typed);
    },
    {
      initialError,
      onError: (error) => {
        const message = fieldErrors(error).code;
        if (message) code.fail(message);
        return message ? null : describeError(error);
      },
    },
  );
  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([code])) void find.run();
  };

  return (
    <form class="pairing-code-form" onSubmit={submit} noValidate data-testid="pairing-code-form">
      <TextField
        id="pairingCode"
        label={t("pairingCodeLabel")}
        field={code}
        placeholder={t("pairingCodePlaceholder")}
        inputMode="numeric"
        maxLength={6}
        hint={<p class="field-hint">{t("pairingCodeHint")}</p>}
      />
      <FormError message={find.error} testId="pairing-error" />
      <div class="actions">
        <button
          type="submit"
          class="button button--primary button--grow"
          data-testid="pairing-find"
          disabled={find.busy}
        >
          {t("pairingFind")}
        </button>
      </div>
    </form>
  );
}
