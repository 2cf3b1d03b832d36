import type { Migration } from "./migrations.js";

/**
 * The schema on PostgreSQL, numbered like the SQLite migrations: version 9 creates what SQLite's
 * 1–9 built up, in PostgreSQL's terms (epoch milliseconds as BIGINT, triggers as functions). A
 * change to the shared schema adds the next version to both lists; version 10, the office, exists
 * only here (an office shares a PostgreSQL database), so from then on PostgreSQL's number is SQLite's
 * plus one (SQLite 10 = PostgreSQL 11). Never edit a shipped one.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 9,
    name: "paged-lists",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE people (
        id TEXT PRIMARY KEY,
        doc_type TEXT NOT NULL,
        doc_number TEXT NOT NULL,
        name TEXT NOT NULL,
        nationality TEXT NOT NULL,
        login_name TEXT NOT NULL UNIQUE,
        phone TEXT UNIQUE,
        password_hash TEXT NOT NULL,
        registered_via TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (doc_type, doc_number)
      );

      -- Hall registration codes (注册码): only an HMAC of the code is kept.
      CREATE TABLE registration_codes (
        id TEXT PRIMARY KEY,
        doc_type TEXT NOT NULL,
        doc_number TEXT NOT NULL,
        name TEXT NOT NULL,
        nationality TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        used_at BIGINT,
        replaced_at BIGINT
      );
      CREATE INDEX registration_codes_by_document ON registration_codes (doc_type, doc_number);

      -- Short-lived proofs that a step of a multi-step flow was passed (registration, reset).
      CREATE TABLE flow_tickets (
        ticket_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        phone TEXT,
        expires_at BIGINT NOT NULL
      );

      CREATE TABLE sms_codes (
        id TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        phone TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        sent_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        used_at BIGINT,
        replaced_at BIGINT
      );
      CREATE INDEX sms_codes_by_phone ON sms_codes (purpose, phone, sent_at);

      CREATE TABLE captchas (
        id TEXT PRIMARY KEY,
        answer_hash TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );

      -- Guessing limits, keyed by person (or by an HMAC of an unknown account name).
      CREATE TABLE login_guards (
        subject TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        captcha_required INTEGER NOT NULL DEFAULT 0,
        locked_until BIGINT
      );

      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id),
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        ended_at BIGINT,
        end_reason TEXT
      );
      CREATE INDEX sessions_by_person ON sessions (person_id);

      -- 扣缴单位 from tax registration (hall CLI); 本市单位 may enter with a CA certificate.
      CREATE TABLE units (
        tin TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        departments TEXT NOT NULL DEFAULT '[]',
        department_filing TEXT NOT NULL DEFAULT '未备案',
        comprehensive_income TEXT NOT NULL DEFAULT '待申报',
        business_income TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        local INTEGER NOT NULL DEFAULT 0
      );

      -- 法定代表人 and 财务负责人 by document, with their term of office (inclusive dates).
      CREATE TABLE unit_officers (
        id TEXT PRIMARY KEY,
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        role TEXT NOT NULL CHECK (role IN ('法定代表人', '财务负责人')),
        doc_type TEXT NOT NULL,
        doc_number TEXT NOT NULL,
        name TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX unit_officers_by_unit ON unit_officers (unit_tin);
      -- Covers the offices a person holds: a legal rep of many units is counted from the index alone.
      CREATE INDEX unit_officers_by_document ON unit_officers (doc_type, doc_number, unit_tin, name, start_date, end_date, role);

      -- 授权. Status is never stored: it is computed from these facts when a decision is taken.
      CREATE TABLE grants (
        id TEXT PRIMARY KEY,
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        grantee_id TEXT NOT NULL REFERENCES people(id),
        permission TEXT NOT NULL CHECK (permission IN ('办税权限', '管理权限')),
        term_type TEXT NOT NULL CHECK (term_type IN ('长期', '定期')),
        start_date TEXT NOT NULL,
        end_date TEXT,
        granted_by TEXT NOT NULL REFERENCES people(id),
        granted_as TEXT NOT NULL CHECK (granted_as IN ('法定代表人', '财务负责人', '管理权限')),
        grantor_grant_id TEXT REFERENCES grants(id),
        ended_at BIGINT,
        ended_by TEXT CHECK (ended_by IN ('unit', 'self')),
        reviewed_at BIGINT,
        hidden_by_grantee_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        term_set_at BIGINT
      );
      CREATE INDEX grants_by_grantor_grant ON grants (grantor_grant_id);
      CREATE INDEX grants_by_unit ON grants (unit_tin, created_at, id);
      CREATE INDEX grants_by_grantee_unit ON grants (grantee_id, unit_tin);
      CREATE INDEX grants_shown_to_grantee ON grants (grantee_id, created_at, id) WHERE hidden_by_grantee_at IS NULL;
      CREATE INDEX grants_by_grantee_permission ON grants (grantee_id, permission, unit_tin);
      CREATE INDEX grants_by_grantee_end ON grants (grantee_id, end_date);
      CREATE INDEX grants_management_by_unit ON grants (unit_tin) WHERE permission = '管理权限';
      CREATE INDEX grants_live_by_unit ON grants (unit_tin, end_date) WHERE ended_by IS NULL;
      CREATE INDEX grants_made_under_by_unit ON grants (unit_tin) WHERE grantor_grant_id IS NOT NULL;

      -- Append-only history, hash-chained: each row's hash covers its content and the previous hash.
      CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY,
        at BIGINT NOT NULL,
        unit_tin TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        action TEXT NOT NULL,
        grant_id TEXT NOT NULL,
        before TEXT,
        after TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_unit ON audit_log (unit_tin, seq);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

      -- Desktop filing clients paired by a person in the popup; each has its own revocable token.
      CREATE TABLE desktop_clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL REFERENCES people(id),
        paired_at BIGINT NOT NULL,
        last_seen_at BIGINT,
        revoked_at BIGINT
      );
      CREATE INDEX desktop_clients_by_owner ON desktop_clients (owner_id, paired_at, id);

      -- Bumped whenever a unit's 申报密码 is set or reset, so older unit sessions end.
      CREATE TABLE declaration_password_versions (
        unit_tin TEXT PRIMARY KEY REFERENCES units(tin),
        version INTEGER NOT NULL,
        set_at BIGINT NOT NULL
      );

      -- Root certificates the hall trusts for CA entry (public certificates, not secrets).
      CREATE TABLE ca_roots (
        fingerprint TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        pem TEXT NOT NULL,
        added_at BIGINT NOT NULL
      );

      -- 扫码登录 sessions: the requester's public key and a hash of its challenge nonce only.
      CREATE TABLE qr_logins (
        ref TEXT PRIMARY KEY,
        requester TEXT NOT NULL,
        client_kind TEXT NOT NULL CHECK (client_kind IN ('browser', 'desktop')),
        client_name TEXT NOT NULL,
        public_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        challenge_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'scanned', 'confirmed', 'cancelled', 'expired', 'redeemed', 'failed')),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        approver_id TEXT REFERENCES people(id),
        scanned_at BIGINT,
        decided_at BIGINT,
        redeemed_at BIGINT,
        proof_failures INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX qr_logins_open ON qr_logins (state, expires_at);
      CREATE INDEX qr_logins_requester ON qr_logins (requester, created_at);

      -- The local 公安人像库: face descriptors (128 float32) only, never the photos.
      CREATE TABLE portrait_references (
        doc_number TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        descriptor BYTEA NOT NULL,
        enrolled_at BIGINT NOT NULL
      );
      CREATE TABLE face_failures (
        doc_number TEXT NOT NULL,
        day TEXT NOT NULL,
        failures INTEGER NOT NULL,
        PRIMARY KEY (doc_number, day)
      );
      CREATE TABLE face_verifications (
        id TEXT PRIMARY KEY,
        doc_number TEXT NOT NULL,
        name TEXT NOT NULL,
        verified_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      );

      -- 单位管理: each person's units in their order; positions are real numbers, so a row moves
      -- between two others with one write.
      CREATE TABLE desktop_unit_lists (
        person_id TEXT NOT NULL REFERENCES people(id),
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        position DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (person_id, unit_tin)
      );
      CREATE INDEX desktop_unit_lists_by_position ON desktop_unit_lists (person_id, position);
      CREATE INDEX desktop_unit_lists_by_unit ON desktop_unit_lists (unit_tin);

      -- The 单位管理 totals line of each person, kept by triggers so that no request counts a long list.
      CREATE TABLE desktop_unit_list_totals (
        person_id TEXT PRIMARY KEY REFERENCES people(id),
        count INTEGER NOT NULL,
        comprehensive_filed INTEGER NOT NULL,
        business_filed INTEGER NOT NULL
      );
      CREATE FUNCTION desktop_unit_list_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO desktop_unit_list_totals (person_id, count, comprehensive_filed, business_filed)
            SELECT NEW.person_id, 1, (unit.comprehensive_income = '已申报')::int, (unit.business_income = '已申报')::int
            FROM units unit WHERE unit.tin = NEW.unit_tin
            ON CONFLICT (person_id) DO UPDATE SET count = desktop_unit_list_totals.count + 1,
              comprehensive_filed = desktop_unit_list_totals.comprehensive_filed + excluded.comprehensive_filed,
              business_filed = desktop_unit_list_totals.business_filed + excluded.business_filed;
          RETURN NULL;
        END $$;
      CREATE TRIGGER desktop_unit_list_added AFTER INSERT ON desktop_unit_lists
        FOR EACH ROW EXECUTE FUNCTION desktop_unit_list_added();
      CREATE FUNCTION desktop_unit_list_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE desktop_unit_list_totals SET count = count - 1,
            comprehensive_filed = comprehensive_filed
              - (SELECT (comprehensive_income = '已申报')::int FROM units WHERE tin = OLD.unit_tin),
            business_filed = business_filed - (SELECT (business_income = '已申报')::int FROM units WHERE tin = OLD.unit_tin)
          WHERE person_id = OLD.person_id;
          RETURN NULL;
        END $$;
      CREATE TRIGGER desktop_unit_list_removed AFTER DELETE ON desktop_unit_lists
        FOR EACH ROW EXECUTE FUNCTION desktop_unit_list_removed();
      CREATE FUNCTION desktop_unit_list_filing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE desktop_unit_list_totals SET
            comprehensive_filed = comprehensive_filed
              + (NEW.comprehensive_income = '已申报')::int - (OLD.comprehensive_income = '已申报')::int,
            business_filed = business_filed
              + (NEW.business_income = '已申报')::int - (OLD.business_income = '已申报')::int
          WHERE person_id IN (SELECT person_id FROM desktop_unit_lists WHERE unit_tin = NEW.tin);
          RETURN NULL;
        END $$;
      CREATE TRIGGER desktop_unit_list_filing_changed AFTER UPDATE OF comprehensive_income, business_income ON units
        FOR EACH ROW EXECUTE FUNCTION desktop_unit_list_filing_changed();

      -- What changed at which unit, written in the same transaction as the change by whichever
      -- companion (or hall CLI) made it: every companion reads what is new and ends the unit
      -- sessions whose access went with it.
      CREATE TABLE unit_changes (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL,
        unit_tin TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('unit', 'grant', 'office', 'password', 'local'))
      );
      CREATE INDEX unit_changes_by_time ON unit_changes (at);
    `,
  },
  {
    version: 10,
    name: "office",
    sql: `
      -- The one office this database belongs to. key_check is a known text sealed under the
      -- office key: a machine whose key opens it holds this office's key.
      CREATE TABLE office (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        key_check TEXT NOT NULL
      );

      -- The machines whose keychains hold the office key.
      CREATE TABLE office_members (
        machine_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        joined_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        removed_at BIGINT
      );

      -- Join codes: the office key sealed under a key derived from the code (never the code).
      CREATE TABLE office_invites (
        id TEXT PRIMARY KEY,
        salt TEXT NOT NULL,
        sealed_key TEXT NOT NULL,
        invited_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0,
        used_at BIGINT,
        used_by TEXT
      );

      -- The shared secrets (the short-code pepper, the audit chain's head, 申报密码 hashes),
      -- each sealed under the office key with its name as associated data.
      CREATE TABLE sealed_secrets (
        name TEXT PRIMARY KEY,
        sealed TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );

      -- Text messages while no SMS provider is set (the stand-in for the phone network), for any
      -- member's \`taxauth hall sms-outbox\`; each text sealed under the office key.
      CREATE TABLE sms_outbox (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        phone TEXT NOT NULL,
        sealed_text TEXT NOT NULL
      );
      CREATE INDEX sms_outbox_by_time ON sms_outbox (at);
    `,
  },
  {
    // SQLite's version 10 (10 here is the office).
    version: 11,
    name: "hall-password-reset",
    sql: `
      -- Set when the hall gives the person a one-time password (taxauth hall password reset): their
      -- login may do nothing but change it. Cleared by any password the person chooses.
      ALTER TABLE people ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    // SQLite's version 11.
    version: 12,
    name: "security-center",
    sql: `
      -- 安全中心's 最近登录: each session opened (by password or 扫码登录, on which client), the newest
      -- 50 of each person kept. token_hash is the session's, to tell which logins are still live.
      CREATE TABLE logins (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id),
        at BIGINT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('password', 'qr')),
        client_kind TEXT NOT NULL CHECK (client_kind IN ('browser', 'desktop')),
        client_name TEXT NOT NULL,
        token_hash TEXT NOT NULL
      );
      CREATE INDEX logins_by_person ON logins (person_id, at, id);

      -- Changes to a person's account (phone, password) join the audit chain: they belong to no
      -- unit and no grant.
      ALTER TABLE audit_log ALTER COLUMN unit_tin DROP NOT NULL, ALTER COLUMN grant_id DROP NOT NULL;
    `,
  },
  {
    // SQLite's version 12.
    version: 13,
    name: "desktop-session-order",
    sql: `
      -- 自定义排序 (▲ ▼) belongs to one login: its first move copies the person's saved default
      -- order (desktop_unit_lists.position, 设定为默认排序) here, and from then on the login reads its
      -- own. The rows go when the login ends, however it ends (the cascade: a password change or a
      -- hall reset ends sessions too).
      CREATE TABLE desktop_session_unit_orders (
        session_hash TEXT NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        position DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (session_hash, unit_tin)
      );
      CREATE INDEX desktop_session_unit_orders_by_position ON desktop_session_unit_orders (session_hash, position);
    `,
  },
  {
    // SQLite's version 13.
    version: 14,
    name: "declaration-unit-guard",
    sql: `
      -- 申报密码 failures across all people at a unit, one row each, kept for the hour they count.
      -- Past the threshold the unit's password path closes: closed_until, and closed_by the failure
      -- that closed it (a right password on that very try reopens it). Its managers are told of many
      -- failures (alerted_at, the last such alert) and of the closing (closure_alerted_for, the
      -- closed_until they were told of). The unit's row is the lock every try at the unit takes.
      CREATE TABLE declaration_unit_guards (
        unit_tin TEXT PRIMARY KEY,
        closed_until BIGINT,
        closed_by TEXT,
        alerted_at BIGINT,
        closure_alerted_for BIGINT
      );
      CREATE TABLE declaration_unit_failures (
        id TEXT PRIMARY KEY,
        unit_tin TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE INDEX declaration_unit_failures_by_unit ON declaration_unit_failures (unit_tin, at);
    `,
  },
  {
    // SQLite's version 14.
    version: 15,
    name: "trusted-browsers",
    sql: `
      -- Browsers trusted by pairing (Firefox: each install has its own moz-extension:// origin),
      -- revocable: revoked_at set, and the origin refused again.
      CREATE TABLE trusted_browsers (
        origin TEXT PRIMARY KEY,
        approved_at BIGINT NOT NULL,
        approved_by TEXT NOT NULL,
        revoked_at BIGINT
      );
      -- Browsers asking to be trusted: one request per origin, the code it shows (unique), five
      -- minutes each; a CLI process on the same data dir approves them, so they are stored.
      CREATE TABLE browser_pairings (
        origin TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        requested_at BIGINT NOT NULL
      );
      CREATE INDEX browser_pairings_by_age ON browser_pairings (requested_at);
    `,
  },
  {
    // SQLite's version 15.
    version: 16,
    name: "face-challenges",
    sql: `
      -- 人脸识别认证注册: the moves asked of one attempt (a JSON array of steps, in order), answered
      -- once before expires_at. Expiry follows issue order; the newest few hundred are kept.
      CREATE TABLE face_challenges (
        id TEXT PRIMARY KEY,
        steps TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    // SQLite's version 16.
    version: 17,
    name: "history-filters",
    sql: `
      -- The history's filters (date range, 操作人, 被授权人 through its grants, 操作类型) read from
      -- the index alone, in the page's order: a filtered page or count visits no row it drops.
      -- It starts as audit_log_by_unit did, which it replaces.
      CREATE INDEX audit_log_history ON audit_log (unit_tin, seq, at, actor_id, action, grant_id);
      DROP INDEX audit_log_by_unit;
      -- 最近动态: the rows of a person's grants, and of their account (no unit).
      CREATE INDEX audit_log_by_grant ON audit_log (grant_id, seq);
      CREATE INDEX audit_log_by_unit_actor ON audit_log (unit_tin, actor_id, seq);
      -- The name filters find the people first.
      CREATE INDEX people_by_name ON people (name);
    `,
  },
  {
    // SQLite's version 17.
    version: 18,
    name: "grant-requests",
    sql: `
      -- 申请授权: a person asks a unit for a grant. state is what was decided (待审批, 已批准, 已拒绝,
      -- 已撤回); a 待审批 row past expires_at reads as 已过期, and is marked so only when the person
      -- asks the unit again. One 待审批 row per person and unit.
      CREATE TABLE grant_requests (
        id TEXT PRIMARY KEY,
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        requester_id TEXT NOT NULL REFERENCES people(id),
        permission TEXT NOT NULL,
        term_type TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        note TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        decided_by TEXT REFERENCES people(id),
        decided_at BIGINT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX grant_requests_one_pending ON grant_requests (requester_id, unit_tin) WHERE state = '待审批';
      CREATE INDEX grant_requests_by_requester ON grant_requests (requester_id, created_at, id);
      CREATE INDEX grant_requests_pending_by_unit ON grant_requests (unit_tin, created_at, id) WHERE state = '待审批';
    `,
  },
];
