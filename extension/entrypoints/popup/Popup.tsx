import { useEffect, useState } from "preact/hooks";
import { CompanionOffline } from "../../components/CompanionOffline.js";
import type { PersonSummary } from "../../lib/companion-client.js";
import { CompanionError } from "../../lib/companion-error.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { lazyComponent, loadCompanion, once } from "../../lib/lazy.js";
import { getSessionToken, onSessionTokenChange } from "../../lib/session-token.js";
import { LoginScreen } from "./LoginScreen.js";

// Logged in is not the first screen of most openings: its views load when needed (as soon as a
// stored token is found, alongside the session check).
const loadLoggedIn = once(() => import("./LoggedIn.js").then((module) => module.LoggedIn));
const LoggedIn = lazyComponent(loadLoggedIn, <p class="muted popup-loading">{t("loading")}</p>);
// Only after a login with a one-time password from the tax hall.
const ChangePassword = lazyComponent(
  () => import("./ChangePassword.js").then((module) => module.ChangePassword),
  <p class="muted popup-loading">{t("loading")}</p>,
);

type View =
  | { kind: "loading" }
  | { kind: "offline"; baseUrl: string }
  | { kind: "login"; notice: string | null }
  | { kind: "changePassword"; person: PersonSummary }
  | { kind: "loggedIn"; person: PersonSummary };

/**
 * The toolbar popup: who is logged in, or the login screen; or why the companion can't be reached.
 * `hasToken`: a session token was in storage.session when the popup opened (known before the first
 * render). Without one the login form shows at once and the companion is asked meanwhile; only a
 * failed check replaces the form (offline) or adds a notice (not our companion). With one, the
 * session is checked first.
 */
export function Popup({ hasToken }: { hasToken: boolean }) {
  const [view, setView] = useState<View>(hasToken ? { kind: "loading" } : { kind: "login", notice: null });

  const failed = (error: unknown): View =>
    error instanceof CompanionError && error.kind === "offline"
      ? { kind: "offline", baseUrl: error.baseUrl }
      : { kind: "login", notice: describeError(error) };

  const checkInBackground = async () => {
    // The first screen may have followed the hint alone: a token stored after all (another page
    // logged in just then) means what it would have meant before the first render.
    if (await getSessionToken().catch(() => null)) return check();
    try {
      await (await loadCompanion()).health();
    } catch (error) {
      const next = failed(error);
      setView((current) => (current.kind === "login" ? next : current));
    }
  };

  const check = async () => {
    setView({ kind: "loading" });
    try {
      const companion = await loadCompanion();
      const session = await companion.session();
      if (session)
        return setView({
          kind: session.passwordChangeRequired ? "changePassword" : "loggedIn",
          person: session.person,
        });
      await companion.health();
      setView({ kind: "login", notice: null });
    } catch (error) {
      setView(failed(error));
    }
  };
  useEffect(() => {
    if (hasToken) void loadLoggedIn();
    void (hasToken ? check() : checkInBackground());
  }, []);
  // The session ended elsewhere (expired, logged out from a page, ended by the companion): back to the form.
  useEffect(
    () =>
      onSessionTokenChange((token) => {
        if (!token)
          setView((current) =>
            current.kind === "loggedIn" || current.kind === "changePassword"
              ? { kind: "login", notice: t("sessionEnded") }
              : current,
          );
      }),
    [],
  );

  return (
    <div class="popup-frame">
      <header class="popup-bar">
        <h1 class="popup-brand">{t("extName")}</h1>
      </header>
      <main>
        {view.kind === "loading" ? <p class="muted popup-loading">{t("loading")}</p> : null}
        {view.kind === "offline" ? <CompanionOffline baseUrl={view.baseUrl} onRetry={check} /> : null}
        {view.kind === "login" ? (
          <LoginScreen
            notice={view.notice}
            onLoggedIn={(person, passwordChangeRequired) =>
              setView({ kind: passwordChangeRequired ? "changePassword" : "loggedIn", person })
            }
          />
        ) : null}
        {view.kind === "changePassword" ? (
          <ChangePassword
            person={view.person}
            onChanged={() => setView({ kind: "loggedIn", person: view.person })}
            onLoggedOut={(notice) => setView({ kind: "login", notice })}
          />
        ) : null}
        {view.kind === "loggedIn" ? (
          <LoggedIn person={view.person} onLoggedOut={(notice) => setView({ kind: "login", notice })} />
        ) : null}
      </main>
    </div>
  );
}
