import "./StartCompanion.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { askNow } from "../lib/companion-status.js";
import { t } from "../lib/i18n.js";
import { type HostStart, startThroughHost } from "../lib/native-host.js";

type State = { kind: "starting" } | HostStart;

/**
 * On the popup's offline screen: starts the companion through the native host at once, and again on
 * 启动本地服务; once it answers, the popup reconnects. Without a registered host it says how the
 * computer's keeper installs the service (once).
 */
export function StartCompanion() {
  const [state, setState] = useState<State>({ kind: "starting" });
  const attempt = useRef<AbortController | null>(null);

  const start = async () => {
    attempt.current?.abort();
    const controller = new AbortController();
    attempt.current = controller;
    setState({ kind: "starting" });
    const result = await startThroughHost(controller.signal);
    if (!result) return;
    setState(result);
    if (result.kind === "started") askNow();
  };
  useEffect(() => {
    void start();
    return () => attempt.current?.abort();
  }, []);

  if (state.kind === "noHost") {
    return (
      <div class="start-companion" data-testid="companion-not-installed">
        <p>{t("companionNotInstalled")}</p>
        <pre class="start-companion-command mono">taxauth service install</pre>
        <p>{t("companionNotInstalledAfter")}</p>
      </div>
    );
  }
  return (
    <div class="start-companion">
      <p class="start-companion-state" role="status" data-testid="companion-start-state">
        {state.kind === "starting" ? t("startingCompanion") : null}
        {state.kind === "started" ? t("companionStarted") : null}
        {state.kind === "failed" ? t("companionStartFailed", state.message) : null}
      </p>
      <button
        type="button"
        class="button button--primary"
        data-testid="companion-start"
        disabled={state.kind === "starting"}
        onClick={() => void start()}
      >
        {t("startCompanion")}
      </button>
    </div>
  );
}
