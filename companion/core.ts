import { lockNotices } from "./accounts/account-notices.js";
import { loginService } from "./accounts/login.js";
import { loginHistoryStore } from "./accounts/login-history.js";
import { loginThrottle } from "./accounts/login-throttle.js";
import { passwordChangeService } from "./accounts/password-change.js";
import { passwordResetService } from "./accounts/password-reset.js";
import { peopleStore } from "./accounts/people.js";
import { registrationService } from "./accounts/registration.js";
import { securityCenterService } from "./accounts/security-center.js";
import { sessionStore } from "./accounts/session-store.js";
import { sessionService } from "./accounts/sessions.js";
import { auditService } from "./audit/audit-log.js";
import { auditStore } from "./audit/audit-store.js";
import { myEventsService } from "./audit/my-events.js";
import { browserPairingService } from "./browsers/browser-pairing.js";
import { trustedBrowserStore } from "./browsers/trusted-browser-store.js";
import { caEntryService } from "./ca/ca-entry.js";
import { caRootStore } from "./ca/ca-root-store.js";
import { randomCaptchaSource } from "./captcha/captcha-source.js";
import { captchaStore } from "./captcha/captcha-store.js";
import { captchaService } from "./captcha/captchas.js";
import type { CompanionConfig } from "./config.js";
import { instanceId, openSql } from "./db/database.js";
import type { Sql } from "./db/sql.js";
import { declarationPasswordStore } from "./declaration/declaration-password-store.js";
import { declarationPasswordService } from "./declaration/passwords.js";
import { declarationUnitGuard } from "./declaration/unit-guard.js";
import { declarationUnitGuardStore } from "./declaration/unit-guard-store.js";
import { pairedClientStore } from "./desktop/paired-client-store.js";
import { desktopPairingService } from "./desktop/pairing.js";
import { unitListStore } from "./desktop/unit-list-store.js";
import { unitListService } from "./desktop/units-list.js";
import { eventHub } from "./events/hub.js";
import { officeBus } from "./events/office-bus.js";
import { unitChangeStore } from "./events/unit-change-store.js";
import { unitChangeFeed } from "./events/unit-changes.js";
import { grantRequestsService } from "./grant-requests/grant-requests.js";
import { grantRequestsStore } from "./grant-requests/store.js";
import { grantsService } from "./grants/grants.js";
import { grantsStore } from "./grants/store.js";
import { registrationCodeStore } from "./hall/registration-code-store.js";
import { registrationCodeService } from "./hall/registration-codes.js";
import { type Keychain, osKeychain } from "./keychain/keychain.js";
import { officeSealer, officeService, sealedVault } from "./office/office.js";
import { officeStore } from "./office/office-store.js";
import { faceChallengeStore } from "./portrait/face-challenge-store.js";
import { faceChallengeService } from "./portrait/face-challenges.js";
import { faceEngine } from "./portrait/face-engine.js";
import { faceVerificationStore } from "./portrait/face-verification-store.js";
import { faceVerificationService } from "./portrait/face-verifications.js";
import {
  httpPortraitAuthority,
  localPortraitAuthority,
  type PortraitAuthority,
} from "./portrait/portrait-authority.js";
import { portraitReferenceStore } from "./portrait/portrait-reference-store.js";
import { qrLoginStore } from "./qr-login/qr-login-store.js";
import { qrLoginService } from "./qr-login/qr-logins.js";
import { attemptGuardStore } from "./security/attempt-guard-store.js";
import { flowTicketStore } from "./security/flow-ticket-store.js";
import { keychainVault } from "./security/secret-vault.js";
import { type CodeHasher, loadCodeHasher } from "./security/secrets.js";
import { outboxGateway, readOutbox, type SmsGateway, webhookGateway } from "./sms/gateway.js";
import { officeOutbox, smsOutboxStore } from "./sms/office-outbox.js";
import { smsCodeStore } from "./sms/sms-code-store.js";
import { smsCodeService } from "./sms/sms-codes.js";
import { unitsStore } from "./units/units.js";

/**
 * The companion's domain services over one database and one keychain. The HTTP app and the hall
 * CLI both run on this, so a rule has one implementation whichever way it is reached.
 */
export async function openCore(config: CompanionConfig) {
  const keychain: Keychain = osKeychain(config.keychainService);
  const sql: Sql = await openSql(config);
  const { clock } = config;
  // On one machine the secrets are in this keychain; in an office, sealed in the shared database
  // under the office key this machine's keychain holds (refused when it has not joined).
  // Reading (or first creating) the pepper is the start-up keychain check: without the keychain
  // this throws KeychainUnavailableError and the companion does not start.
  const { vault, office, membership } = await openVault(sql, keychain, clock).catch(async (error: unknown) => {
    await sql.close();
    throw error;
  });
  const hasher: CodeHasher = await loadCodeHasher(vault).catch(async (error: unknown) => {
    await sql.close();
    throw error;
  });
  // Without an SMS provider, texts wait in an outbox: the data dir's file, or in an office the
  // shared database, so any member's `taxauth hall sms-outbox` reads them.
  const print = config.smsOutboxEcho === false ? () => {} : undefined;
  const outbox = membership
    ? officeOutbox({ store: smsOutboxStore(sql), sealer: officeSealer(membership), clock })
    : {
        gateway: (echo?: (line: string) => void) => outboxGateway(config.dataDir, { now: clock.now, print: echo }),
        read: async () => readOutbox(config.dataDir),
      };
  const sms: SmsGateway = config.sms ?? defaultSmsGateway(() => outbox.gateway(print));

  const people = peopleStore(sql);
  const tickets = flowTicketStore(sql, clock.now);
  const guards = attemptGuardStore(sql);
  const sentCodes = smsCodeService({ store: smsCodeStore(sql), clock, hasher, gateway: sms });
  const captchas = captchaService({
    store: captchaStore(sql),
    clock,
    hasher,
    source: config.captcha ?? randomCaptchaSource,
    issueRate: config.captchaIssueRate,
    sandbox: config.sandbox !== undefined,
  });
  const codes = registrationCodeService({ store: registrationCodeStore(sql), guards, captchas, clock, hasher });
  // Events for this companion's sockets and, in an office, the other companions'.
  const bus = officeBus(sql);
  const logins = loginHistoryStore(sql);
  const sessions = sessionService({ store: sessionStore(sql), logins, clock, bus });
  const changes = await unitChangeFeed({ store: unitChangeStore(sql), clock, bus });
  const units = unitsStore(sql, clock.now, changes.record);
  const audit = auditService({ store: auditStore(sql), hasher, vault });
  const hub = eventHub(bus);
  const grants = grantsService({ store: grantsStore(sql), clock, people, units, audit, hub, changes });
  const faceModel = faceEngine();
  const references = portraitReferenceStore(sql, clock.now);
  const authority: PortraitAuthority = config.portraitUrl
    ? httpPortraitAuthority(config.portraitUrl, config.portraitToken)
    : localPortraitAuthority(references);
  const faceChallenges = faceChallengeService({
    store: faceChallengeStore(sql),
    clock,
    issueRate: config.faceChallengeIssueRate,
  });
  const faces = faceVerificationService({
    store: faceVerificationStore(sql),
    clock,
    people,
    captchas,
    engine: faceModel,
    authority,
    challenges: faceChallenges,
  });
  const accountLocked = lockNotices({ sms, hub });
  const qrLoginSessions = qrLoginService({
    store: qrLoginStore(sql),
    clock,
    people,
    sessions,
    bus,
    ttlSeconds: config.qrLoginTtlSeconds,
  });

  return {
    config,
    sql,
    bus,
    keychain,
    clock,
    sms,
    people,
    registrationCodes: codes,
    captchas,
    sessions,
    attemptGuards: guards,
    login: loginService({
      guards,
      clock,
      hasher,
      people,
      captchas,
      sessions,
      throttle: loginThrottle(clock),
      accountLocked,
    }),
    registration: registrationService({
      clock,
      people,
      registrationCodes: codes,
      faceVerifications: faces,
      tickets,
      smsCodes: sentCodes,
    }),
    changePassword: passwordChangeService({ people, guards, clock, captchas, sessions, audit, accountLocked }),
    passwordReset: passwordResetService({
      people,
      guards,
      hasher,
      captchas,
      tickets,
      smsCodes: sentCodes,
      sessions,
      clock,
      audit,
    }),
    securityCenter: securityCenterService({
      people,
      logins,
      guards,
      clock,
      captchas,
      smsCodes: sentCodes,
      sms,
      audit,
      accountLocked,
    }),
    units,
    audit,
    hub,
    grants,
    grantRequests: grantRequestsService({ store: grantRequestsStore(sql), clock, people, units, audit, hub, grants }),
    myEvents: myEventsService({ audit, logins }),
    declarationUnitGuard: declarationUnitGuard({
      store: declarationUnitGuardStore(sql),
      clock,
      hub,
      units,
      managers: grants.managers,
      today: grants.today,
    }),
    smsCodes: sentCodes,
    smsOutbox: { read: outbox.read },
    declarationPasswords: declarationPasswordService({
      store: declarationPasswordStore(sql),
      clock,
      vault,
      recordChange: changes.record,
    }),
    unitChanges: changes,
    desktopPairing: desktopPairingService({ store: pairedClientStore(sql), clock, ttl: config.sandbox?.pairingTtlMs }),
    browserPairing: browserPairingService({ store: trustedBrowserStore(sql), clock }),
    ca: caEntryService({ store: caRootStore(sql), clock }),
    unitLists: unitListService({ store: unitListStore(sql), changes, clock }),
    qrLogins: qrLoginSessions,
    faceModel,
    portraitReferences: references,
    portraitAuthority: authority,
    faceChallenges,
    faceVerifications: faces,
    office,
    membership,
    onDatabaseAvailability: (listener: (available: boolean) => void) => sql.onAvailability(listener),
    close: async () => {
      changes.stop();
      qrLoginSessions.stop();
      await bus.stop();
      await faceModel.close();
      await sql.close();
    },
  };
}

export type Core = Awaited<ReturnType<typeof openCore>>;

async function openVault(sql: Sql, keychain: Keychain, clock: CompanionConfig["clock"]) {
  if (sql.dialect === "sqlite")
    return { vault: keychainVault(keychain, await instanceId(sql)), office: null, membership: null };
  const store = officeStore(sql);
  const office = officeService({ store, keychain, clock });
  const membership = await office.membership();
  await office.touch(membership.machineId);
  return { vault: sealedVault(store, membership, clock), office, membership };
}

function defaultSmsGateway(outboxGateway: () => SmsGateway): SmsGateway {
  const webhook = process.env.TAXAUTH_SMS_WEBHOOK;
  if (webhook) return webhookGateway(webhook, { token: process.env.TAXAUTH_SMS_WEBHOOK_TOKEN });
  return outboxGateway();
}
