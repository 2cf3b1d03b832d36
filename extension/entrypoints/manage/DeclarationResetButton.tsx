import { CompanionError, companion } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

interface DeclarationResetButtonProps {
  /** The account has a bound phone: go to the reset page. */
  onOpen(): void;
  /** No bound phone: the seed's exact sentence, and the way to 安全中心. */
  onNoPhone(): void;
  /** Why not, otherwise. */
  onRefused(message: string): void;
}

/**
 * 【重置申报密码】: first asks whether the account has a bound phone (the session says, masked); without
 * one the seed's message is shown and nothing else happens. No SMS is sent until 获取验证码.
 */
export function DeclarationResetButton({ onOpen, onNoPhone, onRefused }: DeclarationResetButtonProps) {
  const open = useAction(
    async () => {
      const session = await companion.session();
      // No session: the token is gone and the page shows 请先登录 by itself.
      if (!session) return;
      if (session.person.maskedPhone === null) onNoPhone();
      else onOpen();
    },
    {
      onError: (err) => {
        if (err instanceof CompanionError && err.code === "PHONE_NOT_BOUND") onNoPhone();
        else onRefused(describeError(err));
        return null;
      },
    },
  );
  return (
    <button
      type="button"
      class="button button--secondary button--small"
      data-testid="declaration-reset-open"
      disabled={open.busy}
      onClick={() => open.run()}
    >
      {t("declarationReset")}
    </button>
  );
}
