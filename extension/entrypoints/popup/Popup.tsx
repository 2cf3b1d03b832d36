import { useEffect, useState } from "preact/hooks";
import type { PersonSummary } from "../../lib/companion-client.js";
import { describeError, isOffline, isUntrusted } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { lazyComponent, loadCompanion, once } from "../../lib/lazy.js";
import { getSessionToken, onSessionTokenChange } from "../../lib/session-token.js";
import { useCompanionCompat, useOnTrusted, useVersionCheck } from "../../lib/use-companion-compat.js";
import { useCompanionWatch, useOnReconnect } from "../../lib/use-companion-status.js";
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
// Seldom needed: it comes with the extension's own files, so it loads while the companion is away.
const CompanionOffline = lazyComponent(() =>
  import("../../components/CompanionOffline.js").then((module) => module.CompanionOffline),
);
// Seldom too: a browser not yet trusted (Firefox before its pairing), a companion of another protocol.
const BrowserPairing = lazyComponent(() => import("./BrowserPairing.js").then((module) => module.BrowserPairing));
const VersionMismatch = lazyComponent(() =>
  import("../../components/VersionMismatch.js").then((module) => module.VersionMismatch),
);

type View =
  | { kind: "loading" }
  | { kind: "login"; notice: string | null }
  | { kind: "changePassword"; person: PersonSummary }
  | { kind: "loggedIn"; person: PersonSummary };

/**
 * The toolbar popup: who is logged in, or the login screen; or why the companion can't be reached.
 * `hasToken`: a session token was in storage.session when the popup opened (known before the first
 * render). Without one the login form shows at once and the companion is asked meanwhile; only a
 * failed check covers the form (offline) or adds a notice (not our companion). With one, the
 * session is checked first. While the companion does not answer (the popup's watch keeps asking),
 * the offline screen covers the view, which stays as it was beneath; when it answers again, the
 * popup carries on by itself. So do the pairing screen, while the companion does not trust this
 * browser yet, and the version screen, while it speaks another protocol than this extension.
 */
export function Popup({ hasToken }: { hasToken: boolean }) {
  const [view, setView] = useState<View>(hasToken ? { kind: "loading" } : { kind: "login", notice: null });
  const status = useCompanionWatch();
  const compat = useCompanionCompat();
  // The popup asks /healthz itself when it opens (below).
  useVersionCheck({ onOpen: false });

  // Offline and untrusted are the screens' to show (the failed call reported it); anything else is a notice.
  const failed = (error: unknown): View | null =>
    isOffline(error) || isUntrusted(error) ? null : { kind: "login", notice: describeError(error) };

  const checkInBackground = async () => {
    // The first screen may have followed the hint alone: a token stored after all (another page
    // logged in just then) means what it would have meant before the first render.
    if (await getSessionToken().catch(() => null)) return check();
    try {
      await (await loadCompanion()).health();
    } catch (error) {
      const next = failed(error);
      if (next) setView((current) => (current.kind === "login" ? next : current));
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
      // Offline: the view stays 加载中 under the offline screen, and is checked again once it is back.
      const next = failed(error);
      if (next) setView(next);
    }
  };
  useOnReconnect(() => {
    // The first check never got through: do it now. A session shown may have ended meanwhile: asking
    // for it finds out (an unknown token is dropped, and the form follows, below).
    if (view.kind === "loading") void check();
    else if (view.kind === "loggedIn" || view.kind === "changePassword")
      void loadCompanion()
        .then((companion) => companion.session())
        .catch(() => undefined);
  });
  // This browser's pairing was approved: the first check can go through now.
  useOnTrusted(() => void check());
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
      {!status.reachable ? (
        <CompanionOffline status={status} />
      ) : compat.kind === "untrusted" ? (
        <BrowserPairing />
      ) : compat.kind === "mismatch" ? (
        <VersionMismatch compat={compat} />
      ) : null}
      <main class="popup-view" hidden={!status.reachable || compat.kind !== "ok"}>
        {view.kind === "loading" ? <p class="muted popup-loading">{t("loading")}</p> : null}
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
