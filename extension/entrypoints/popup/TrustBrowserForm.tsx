import { useState } from "preact/hooks";
import { FormError } from "../../components/FormError.js";
import { TextField } from "../../components/TextField.js";
import { companion } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useField, validateAll } from "../../lib/use-field.js";

const PAIRING_CODE = /^\d{6}$/;

/**
 * 信任其他浏览器, collapsed: the code another browser's popup shows (Firefox, not yet trusted) is
 * typed here, and the companion trusts that browser. Only the typed code reaches its request.
 */
export function TrustBrowserForm() {
  const code = useField("", (value) => (PAIRING_CODE.test(value.trim()) ? null : t("trustBrowserCodeInvalid")));
  const [trusted, setTrusted] = useState(false);
  const approve = useAction(
    async () => {
      setTrusted(false);
      await companion.approveBrowserPairing(code.value.trim());
      code.reset();
      setTrusted(true);
    },
    {
      onError: (error) => {
        const message = fieldErrors(error).code;
        if (message) code.fail(message);
        return message ? null : describeError(error);
      },
    },
  );
  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([code])) void approve.run();
  };

  return (
    <details class="popup-section trust-browser" data-testid="trust-browser">
      <summary>{t("trustBrowserTitle")}</summary>
      <form class="pairing-code-form" onSubmit={submit} noValidate>
        <TextField
          id="browserPairingCode"
          label={t("pairingCodeLabel")}
          field={code}
          placeholder={t("pairingCodePlaceholder")}
          inputMode="numeric"
          maxLength={6}
          hint={<p class="field-hint">{t("trustBrowserHint")}</p>}
        />
        <FormError message={approve.error} testId="trust-browser-error" />
        {trusted ? (
          <p class="notice notice--ok" role="status" data-testid="trust-browser-done">
            {t("trustBrowserDone")}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="button button--primary button--grow" disabled={approve.busy}>
            {t("trustBrowserApprove")}
          </button>
        </div>
      </form>
    </details>
  );
}
