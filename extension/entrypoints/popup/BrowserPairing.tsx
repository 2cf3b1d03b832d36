import { useEffect, useState } from "preact/hooks";
import { type BrowserPairingRequested, companion } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";

/** How often the code is asked for again: the same one while its request lives, a new one after. */
const REFRESH_MS = 30_000;

/**
 * The companion does not trust this browser yet (Firefox gives each install its own origin): the
 * popup asks to pair and shows the code, to be confirmed with `taxauth browser approve <code>` or
 * in a trusted browser's popup. The popup's watch notices the approval and carries on by itself.
 */
export function BrowserPairing() {
  const [asked, setAsked] = useState<BrowserPairingRequested | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const ask = async () => {
      try {
        const answer = await companion.requestBrowserPairing();
        if (controller.signal.aborted) return;
        setAsked(answer);
        setError(null);
      } catch (failure) {
        if (!controller.signal.aborted) setError(describeError(failure));
      }
    };
    void ask();
    const timer = setInterval(ask, REFRESH_MS);
    controller.signal.addEventListener("abort", () => clearInterval(timer));
    return () => controller.abort();
  }, []);

  return (
    <section class="offline" role="alert" data-testid="browser-pairing">
      <h2 class="offline-title">{t("browserUntrusted")}</h2>
      <p>{t("browserUntrustedHint")}</p>
      {asked ? (
        <>
          <p class="browser-pairing-code" data-testid="browser-pairing-code">
            {asked.code}
          </p>
          <p class="offline-still">{t("browserPairingWaiting")}</p>
          <details class="offline-details">
            <summary>{t("technicalInfo")}</summary>
            <p class="mono small">{t("browserPairingTech", asked.code)}</p>
          </details>
        </>
      ) : null}
      {error ? (
        <p class="form-error" data-testid="browser-pairing-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
