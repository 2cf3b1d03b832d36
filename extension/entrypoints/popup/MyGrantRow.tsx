import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { isLiveStatus } from "../../../shared/api/grants.js";
import { DaysLeft } from "../../components/DaysLeft.js";
import { FormError } from "../../components/FormError.js";
import { StatusChip } from "../../components/StatusChip.js";
import { companion, type MyGrant } from "../../lib/companion-client.js";
import { termText } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

/**
 * One unit in 我的办税权限. 解除授权 while the grant stands, 删除 once it has ended; both ask first,
 * inside the popup (a native confirm() would close it), as the manage page's ConfirmDialog does:
 * 取消 first and focused, Esc cancels, and the focus goes back to the button that asked.
 */
export function MyGrantRow({ grant, onChanged }: { grant: MyGrant; onChanged(): void }) {
  const [confirming, setConfirming] = useState(false);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const askButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // In the task that shows them: a key pressed in the frame between would go nowhere.
  useLayoutEffect(() => {
    if (confirming) cancelButton.current?.focus();
    else if (asked.current) askButton.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  const live = isLiveStatus(grant.status);
  const questionId = `my-grant-question-${grant.id}`;
  const act = useAction(async () => {
    if (live) await companion.renounceGrant(grant.id);
    else await companion.deleteMyGrant(grant.id);
    setConfirming(false);
    onChanged();
  });

  return (
    <li class="my-grant" data-testid="my-grant" data-tin={grant.unit.tin} data-grant-id={grant.id}>
      <div class="my-grant-top">
        <strong class="my-grant-name" data-testid="my-grant-unit">
          {grant.unit.name}
        </strong>
        <StatusChip status={grant.status} testId="my-grant-status" />
      </div>
      <div class="muted small mono">{grant.unit.tin}</div>
      <div class="small">
        {grant.permission} · {termText(grant)}
        <DaysLeft grant={grant} />
      </div>
      {confirming ? (
        <div
          class="inline-confirm"
          role="alertdialog"
          aria-labelledby={questionId}
          data-testid="my-grant-confirm-box"
          onKeyDown={(event) => {
            if (event.key === "Escape") setConfirming(false);
          }}
        >
          <p id={questionId}>{live ? t("renounceConfirm", grant.unit.name) : t("deleteConfirm", grant.unit.name)}</p>
          <div class="actions">
            <button
              ref={cancelButton}
              type="button"
              class="button button--secondary button--small"
              data-testid="my-grant-cancel"
              onClick={() => setConfirming(false)}
            >
              {t("cancel")}
            </button>
            <button
              type="button"
              class="button button--danger button--small"
              data-testid="my-grant-confirm"
              disabled={act.busy}
              onClick={() => act.run()}
            >
              {live ? t("revoke") : t("delete")}
            </button>
          </div>
        </div>
      ) : (
        <div class="my-grant-actions">
          <button
            ref={askButton}
            type="button"
            class={live ? "button button--link button--link-danger" : "button button--link"}
            data-testid={live ? "my-grant-renounce" : "my-grant-delete"}
            onClick={() => setConfirming(true)}
          >
            {live ? t("revoke") : t("delete")}
          </button>
        </div>
      )}
      <FormError message={act.error} testId="my-grant-error" />
    </li>
  );
}
