import { useEffect, useState } from "preact/hooks";
import { DEFAULT_COMPANION_URL } from "../../../shared/extension-identity.js";
import { PageShell } from "../../components/PageShell.js";
import { TextField } from "../../components/TextField.js";
import { companion, type Health } from "../../lib/companion-client.js";
import { describeError, isOffline } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { getCompanionUrl, parseCompanionUrl, setCompanionUrl } from "../../lib/settings.js";
import { useField } from "../../lib/use-field.js";

/** What the last 保存 or 测试连接 said, about the address as it was typed then (`address`). */
type Status =
  | { kind: "idle" }
  | { kind: "saved"; address: string }
  | { kind: "testing"; address: string }
  | { kind: "ok"; address: string; health: Health }
  | { kind: "failed"; address: string; message: string };

const checkUrl = (value: string) => {
  const parsed = parseCompanionUrl(value);
  return "error" in parsed ? t(parsed.error) : null;
};

/**
 * 本地服务地址: where the companion listens, with 测试连接 (GET /healthz). What 保存 or 测试连接
 * said goes as soon as the address is edited: 连接成功 was about the address tested.
 */
export function OptionsPage() {
  const url = useField("", checkUrl);
  const [status, setStatus] = useState<Status>({ kind: "idle" });

  useEffect(() => {
    void getCompanionUrl().then((stored) => url.set(stored));
  }, []);
  useEffect(() => {
    setStatus((current) => (current.kind === "idle" || current.address === url.value ? current : { kind: "idle" }));
  }, [url.value]);

  const parsedUrl = (): string | null => {
    url.touch();
    const parsed = parseCompanionUrl(url.value);
    return "url" in parsed ? parsed.url : null;
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const value = parsedUrl();
    if (!value) return;
    await setCompanionUrl(value);
    url.set(value);
    setStatus({ kind: "saved", address: value });
  };

  const test = async () => {
    const value = parsedUrl();
    if (!value) return;
    const address = url.value;
    setStatus({ kind: "testing", address });
    // An answer about an address edited meanwhile is not shown.
    const answered = (next: Status) =>
      setStatus((current) => (current.kind === "testing" && current.address === address ? next : current));
    try {
      answered({ kind: "ok", address, health: await companion.health(value) });
    } catch (error) {
      const message = isOffline(error) ? t("optionsTestOffline", value) : describeError(error);
      answered({ kind: "failed", address, message });
    }
  };

  return (
    <PageShell title={t("optionsTitle")} onOptionsPage>
      <form class="step-body form-grid" onSubmit={save} noValidate>
        <TextField
          id="companionUrl"
          label={t("fieldCompanionUrl")}
          field={url}
          placeholder={DEFAULT_COMPANION_URL}
          hint={<p class="field-hint">{t("companionUrlHint", DEFAULT_COMPANION_URL)}</p>}
        />
        <div class="actions actions--form">
          <button type="submit" class="button button--primary" data-testid="options-save">
            {t("save")}
          </button>
          <button type="button" class="button button--secondary" data-testid="options-test" onClick={test}>
            {t("testConnection")}
          </button>
        </div>
        <div class="actions--form" data-testid="options-status" aria-live="polite">
          {status.kind === "saved" ? <p class="status status--ok">{t("optionsSaved")}</p> : null}
          {status.kind === "testing" ? <p class="status">{t("testing")}</p> : null}
          {status.kind === "ok" ? (
            <p class={status.health.status === "ok" ? "status status--ok" : "status status--bad"}>
              {status.health.status === "ok" ? t("healthOk") : t("healthBad")}
              {t("healthDetail", status.health.db, status.health.keychain)}
            </p>
          ) : null}
          {status.kind === "failed" ? <p class="status status--bad">{status.message}</p> : null}
        </div>
      </form>
    </PageShell>
  );
}
