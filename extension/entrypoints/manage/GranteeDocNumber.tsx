import { useState } from "preact/hooks";
import { companion, type GrantView } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

/**
 * The grantee's 证件类型 and 证件号码, masked until the manager clicks it (then asked of the
 * companion, and masked again by a second click): a screen seen over a shoulder shows no number.
 */
export function GranteeDocNumber({ tin, grant }: { tin: string; grant: GrantView }) {
  const [whole, setWhole] = useState<string | null>(null);
  const reveal = useAction(async () => {
    setWhole((await companion.granteeDocument(tin, grant.id)).docNumber);
  });
  const shown = whole !== null;
  return (
    <div class="muted small">
      {grant.grantee.docType}{" "}
      <button
        type="button"
        class="button button--link mono"
        data-testid="grantee-doc-number"
        aria-pressed={shown}
        title={shown ? t("docNumberHide") : t("docNumberReveal")}
        disabled={reveal.busy}
        onClick={() => (shown ? setWhole(null) : reveal.run())}
      >
        {whole ?? grant.grantee.maskedDocNumber}
      </button>
      {reveal.error ? (
        <span class="form-error" role="alert">
          {reveal.error}
        </span>
      ) : null}
    </div>
  );
}
