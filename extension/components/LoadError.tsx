import "./LoadError.css";
import { describeError } from "../lib/describe-error.js";
import { t } from "../lib/i18n.js";

/** A load that failed: why (the companion's Chinese message), and 重试. */
export function LoadError({
  error,
  onRetry,
  testId = "load-error",
}: {
  error: unknown;
  onRetry(): void;
  testId?: string;
}) {
  if (!error) return null;
  return (
    <div class="form-error load-error" role="alert" data-testid={testId}>
      <span>{describeError(error)}</span>
      <button type="button" class="button button--link" onClick={onRetry}>
        {t("retry")}
      </button>
    </div>
  );
}
