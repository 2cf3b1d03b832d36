import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";
import { GrantRequestForm } from "./GrantRequestForm.js";
import { GrantRequestRow } from "./GrantRequestRow.js";

/**
 * 申请授权 under 我的办税权限: the form (opened by its button) and the person's requests with their
 * states. `version` changes with every grant or request event the popup hears.
 */
export function GrantRequests({ version }: { version: number }) {
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [local, setLocal] = useState(0);
  const requests = usePages((page, signal) => companion.myGrantRequests(page, signal), [version, local]);
  const refresh = () => setLocal((n) => n + 1);

  return (
    <section class="my-requests" data-testid="my-requests">
      <div class="my-grants-head">
        <h2 class="my-grants-title">{t("myRequestsTitle")}</h2>
        <button
          type="button"
          class="button button--link"
          data-testid="grant-request-open"
          aria-expanded={open}
          onClick={() => {
            setOpen(!open);
            setSent(null);
          }}
        >
          {t("requestGrant")}
        </button>
      </div>
      {open ? (
        <GrantRequestForm
          onSent={(request) => {
            setOpen(false);
            setSent(t("requestSent", request.unit.name));
            refresh();
          }}
        />
      ) : null}
      {sent ? (
        <p class="notice notice--ok" role="status" data-testid="grant-request-sent">
          {sent}
        </p>
      ) : null}
      <LoadError error={requests.error} onRetry={requests.reload} testId="my-requests-error" />
      {requests.items.length > 0 ? (
        <ul class="my-grant-list">
          {requests.items.map((request) => (
            <GrantRequestRow key={request.id} request={request} onChanged={refresh} />
          ))}
        </ul>
      ) : null}
      <MoreRows pages={requests} testId="my-requests-more" />
    </section>
  );
}
