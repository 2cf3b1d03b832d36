import { useEffect, useState } from "preact/hooks";
import { CompanionOffline } from "../../components/CompanionOffline.js";
import { CompanionError, companion, type PersonSummary } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { getSessionToken, onSessionTokenChange } from "../../lib/session-token.js";
import { LoggedIn } from "./LoggedIn.js";
import { LoginScreen } from "./LoginScreen.js";

type View =
  | { kind: "loading" }
  | { kind: "offline"; baseUrl: string }
  | { kind: "login"; notice: string | null }
  | { kind: "loggedIn"; person: PersonSummary };

/** The toolbar popup: who is logged in, or the login screen; or why the companion can't be reached. */
export function Popup() {
  const [view, setView] = useState<View>({ kind: "loading" });

  const failed = (error: unknown): View =>
    error instanceof CompanionError && error.kind === "offline"
      ? { kind: "offline", baseUrl: error.baseUrl }
      : { kind: "login", notice: describeError(error) };

  const check = async () => {
    setView({ kind: "loading" });
    // Logged out (no token in storage.session): the form at once, the companion asked meanwhile;
    // only a failed check replaces it (offline) or annotates it (not our companion).
    if (!(await getSessionToken())) {
      setView({ kind: "login", notice: null });
      try {
        await companion.health();
      } catch (error) {
        const next = failed(error);
        setView((current) => (current.kind === "login" ? next : current));
      }
      return;
    }
    try {
      const session = await companion.session();
      if (session) return setView({ kind: "loggedIn", person: session.person });
      await companion.health();
      setView({ kind: "login", notice: null });
    } catch (error) {
      setView(failed(error));
    }
  };
  useEffect(() => {
    void check();
  }, []);
  // The session ended elsewhere (expired, logged out from a page, ended by the companion): back to the form.
  useEffect(
    () =>
      onSessionTokenChange((token) => {
        if (!token)
          setView((current) => (current.kind === "loggedIn" ? { kind: "login", notice: t("sessionEnded") } : current));
      }),
    [],
  );

  return (
    <div class="popup-frame">
      <header class="popup-bar">
        <span class="popup-brand">{t("extName")}</span>
      </header>
      {view.kind === "loading" ? <p class="muted popup-loading">{t("loading")}</p> : null}
      {view.kind === "offline" ? <CompanionOffline baseUrl={view.baseUrl} onRetry={check} /> : null}
      {view.kind === "login" ? (
        <LoginScreen notice={view.notice} onLoggedIn={(person) => setView({ kind: "loggedIn", person })} />
      ) : null}
      {view.kind === "loggedIn" ? (
        <LoggedIn person={view.person} onLoggedOut={(notice) => setView({ kind: "login", notice })} />
      ) : null}
    </div>
  );
}
