/** A database written by a newer taxauth: this one does not know its tables and must not touch them. */
export const newerSchemaError = (found: number, known: number) =>
  new Error(`数据库的结构版本 (${found}) 比本程序支持的 (${known}) 新，请升级 taxauth 后再启动`);

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Numbered migrations of the embedded SQLite, applied in order inside one transaction each. Never
 * edit a shipped one: add the next number (to the PostgreSQL list too).
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "accounts",
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
        created_at INTEGER NOT NULL,
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
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        used_at INTEGER,
        replaced_at INTEGER
      );
      CREATE INDEX registration_codes_by_document ON registration_codes (doc_type, doc_number);

      -- Short-lived proofs that a step of a multi-step flow was passed (registration, reset).
      CREATE TABLE flow_tickets (
        ticket_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        phone TEXT,
        expires_at INTEGER NOT NULL
      );

      CREATE TABLE sms_codes (
        id TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        phone TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        used_at INTEGER,
        replaced_at INTEGER
      );
      CREATE INDEX sms_codes_by_phone ON sms_codes (purpose, phone, sent_at);

      CREATE TABLE captchas (
        id TEXT PRIMARY KEY,
        answer_hash TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );

      -- Guessing limits for password login, keyed by person (or by an HMAC of an unknown account
      -- name, so unknown and known accounts answer alike).
      CREATE TABLE login_guards (
        subject TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        captcha_required INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER
      );

      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id),
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT
      );
      CREATE INDEX sessions_by_person ON sessions (person_id);
    `,
  },
  {
    version: 2,
    name: "units-and-grants",
    sql: `
      -- 扣缴单位 from tax registration (hall CLI).
      CREATE TABLE units (
        tin TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        departments TEXT NOT NULL DEFAULT '[]',
        department_filing TEXT NOT NULL DEFAULT '未备案',
        comprehensive_income TEXT NOT NULL DEFAULT '待申报',
        business_income TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
      );

      -- 法定代表人 and 财务负责人 by document, with their term of office (任职受雇, inclusive dates);
      -- the person may register later and is matched by document when a decision is taken.
      CREATE TABLE unit_officers (
        id TEXT PRIMARY KEY,
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        role TEXT NOT NULL CHECK (role IN ('法定代表人', '财务负责人')),
        doc_type TEXT NOT NULL,
        doc_number TEXT NOT NULL,
        name TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX unit_officers_by_unit ON unit_officers (unit_tin);
      CREATE INDEX unit_officers_by_document ON unit_officers (doc_type, doc_number);

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
        -- The 管理权限 grant the grantor acted under (for 需复核 when it ends).
        grantor_grant_id TEXT REFERENCES grants(id),
        ended_at INTEGER,
        ended_by TEXT CHECK (ended_by IN ('unit', 'self')),
        reviewed_at INTEGER,
        hidden_by_grantee_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX grants_by_unit ON grants (unit_tin);
      CREATE INDEX grants_by_grantee ON grants (grantee_id);
      CREATE INDEX grants_by_grantor_grant ON grants (grantor_grant_id);

      -- Append-only history, hash-chained: each row's hash covers its content and the previous hash.
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
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
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 3,
    name: "desktop-clients",
    sql: `
      -- Desktop filing clients paired by a person in the popup; each has its own revocable token.
      CREATE TABLE desktop_clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL REFERENCES people(id),
        paired_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX desktop_clients_by_owner ON desktop_clients (owner_id);

      -- 单位管理: the units a person added in the desktop client, in their custom order.
      CREATE TABLE desktop_unit_lists (
        person_id TEXT NOT NULL REFERENCES people(id),
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        position INTEGER NOT NULL,
        PRIMARY KEY (person_id, unit_tin)
      );
    `,
  },
  {
    version: 4,
    name: "declaration-password-versions",
    sql: `
      -- Bumped whenever a unit's 申报密码 is set or reset (by the companion or the hall CLI), so
      -- every unit session opened with an older password ends, whichever process changed it.
      CREATE TABLE declaration_password_versions (
        unit_tin TEXT PRIMARY KEY REFERENCES units(tin),
        version INTEGER NOT NULL,
        set_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: "ca-entry",
    sql: `
      -- 本市单位 may enter with a CA certificate instead of the 申报密码.
      ALTER TABLE units ADD COLUMN local INTEGER NOT NULL DEFAULT 0;

      -- Root certificates the hall trusts for CA entry (public certificates, not secrets).
      CREATE TABLE ca_roots (
        fingerprint TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        pem TEXT NOT NULL,
        added_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: "grant-term-set-at",
    sql: `
      -- When the grant's term was last set (新增授权 or 变更): a term set to end in the past ends the
      -- grant at that moment, not on its end date.
      ALTER TABLE grants ADD COLUMN term_set_at INTEGER;
      UPDATE grants SET term_set_at = updated_at;
    `,
  },
  {
    version: 7,
    name: "qr-logins",
    sql: `
      -- 扫码登录 sessions. Only the requester's public key and a hash of its challenge nonce are
      -- kept; the session token is made at redeem and sent encrypted, never stored here.
      CREATE TABLE qr_logins (
        ref TEXT PRIMARY KEY,
        requester TEXT NOT NULL,
        client_kind TEXT NOT NULL CHECK (client_kind IN ('browser', 'desktop')),
        client_name TEXT NOT NULL,
        public_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        challenge_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'scanned', 'confirmed', 'cancelled', 'expired', 'redeemed', 'failed')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        approver_id TEXT REFERENCES people(id),
        scanned_at INTEGER,
        decided_at INTEGER,
        redeemed_at INTEGER,
        proof_failures INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX qr_logins_open ON qr_logins (state, expires_at);
      CREATE INDEX qr_logins_requester ON qr_logins (requester, created_at);
    `,
  },
  {
    version: 8,
    name: "face-registration",
    sql: `
      -- The local 公安人像库: face descriptors (128 float32) of reference photos enrolled in the
      -- hall. Only descriptors are kept, never the photos.
      CREATE TABLE portrait_references (
        doc_number TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        descriptor BLOB NOT NULL,
        enrolled_at INTEGER NOT NULL
      );

      -- 人脸识别认证注册: failed checks per 居民身份证 per day (Asia/Shanghai), and passed checks
      -- (the subject of the registration ticket, used once).
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
        verified_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
    `,
  },
  {
    version: 9,
    name: "paged-lists",
    sql: `
      -- Decisions read one person's rows at one unit; lists read a page in index order.
      DROP INDEX grants_by_unit;
      DROP INDEX grants_by_grantee;
      CREATE INDEX grants_by_unit ON grants (unit_tin, created_at, id);
      CREATE INDEX grants_by_grantee_unit ON grants (grantee_id, unit_tin);
      -- 我的办税权限: the rows the grantee has not hidden, paged and counted from the index alone.
      CREATE INDEX grants_shown_to_grantee ON grants (grantee_id, created_at, id) WHERE hidden_by_grantee_at IS NULL;
      CREATE INDEX grants_by_grantee_permission ON grants (grantee_id, permission, unit_tin);
      CREATE INDEX grants_by_grantee_end ON grants (grantee_id, end_date);
      CREATE INDEX grants_management_by_unit ON grants (unit_tin) WHERE permission = '管理权限';
      -- A unit's live grants and those made under a 管理权限 grant, counted from small indexes.
      CREATE INDEX grants_live_by_unit ON grants (unit_tin, end_date) WHERE ended_by IS NULL;
      CREATE INDEX grants_made_under_by_unit ON grants (unit_tin) WHERE grantor_grant_id IS NOT NULL;
      DROP INDEX unit_officers_by_document;
      -- Covers the offices a person holds: a legal rep of many units is counted from the index alone.
      CREATE INDEX unit_officers_by_document ON unit_officers (doc_type, doc_number, unit_tin, name, start_date, end_date, role);
      DROP INDEX desktop_clients_by_owner;
      CREATE INDEX desktop_clients_by_owner ON desktop_clients (owner_id, paired_at, id);

      -- 单位管理 positions are real numbers: a row moves between two others with one write.
      CREATE TABLE desktop_unit_lists_moved (
        person_id TEXT NOT NULL REFERENCES people(id),
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        position REAL NOT NULL,
        PRIMARY KEY (person_id, unit_tin)
      );
      INSERT INTO desktop_unit_lists_moved SELECT person_id, unit_tin, position FROM desktop_unit_lists;
      DROP TABLE desktop_unit_lists;
      ALTER TABLE desktop_unit_lists_moved RENAME TO desktop_unit_lists;
      CREATE INDEX desktop_unit_lists_by_position ON desktop_unit_lists (person_id, position);
      CREATE INDEX desktop_unit_lists_by_unit ON desktop_unit_lists (unit_tin);

      -- The 单位管理 totals line of each person (单位总数, 申报情况 n/m), kept by triggers so that no
      -- request counts a long list.
      CREATE TABLE desktop_unit_list_totals (
        person_id TEXT PRIMARY KEY REFERENCES people(id),
        count INTEGER NOT NULL,
        comprehensive_filed INTEGER NOT NULL,
        business_filed INTEGER NOT NULL
      );
      INSERT INTO desktop_unit_list_totals
        SELECT list.person_id, COUNT(*), SUM(unit.comprehensive_income = '已申报'), SUM(unit.business_income = '已申报')
        FROM desktop_unit_lists list JOIN units unit ON unit.tin = list.unit_tin GROUP BY list.person_id;
      CREATE TRIGGER desktop_unit_list_added AFTER INSERT ON desktop_unit_lists BEGIN
        INSERT INTO desktop_unit_list_totals (person_id, count, comprehensive_filed, business_filed)
          SELECT NEW.person_id, 1, unit.comprehensive_income = '已申报', unit.business_income = '已申报'
          FROM units unit WHERE unit.tin = NEW.unit_tin
          ON CONFLICT (person_id) DO UPDATE SET count = count + 1,
            comprehensive_filed = comprehensive_filed + excluded.comprehensive_filed,
            business_filed = business_filed + excluded.business_filed;
      END;
      CREATE TRIGGER desktop_unit_list_removed AFTER DELETE ON desktop_unit_lists BEGIN
        UPDATE desktop_unit_list_totals SET count = count - 1,
          comprehensive_filed = comprehensive_filed - (SELECT comprehensive_income = '已申报' FROM units WHERE tin = OLD.unit_tin),
          business_filed = business_filed - (SELECT business_income = '已申报' FROM units WHERE tin = OLD.unit_tin)
        WHERE person_id = OLD.person_id;
      END;
      CREATE TRIGGER desktop_unit_list_filing_changed
        AFTER UPDATE OF comprehensive_income, business_income ON units BEGIN
        UPDATE desktop_unit_list_totals SET
          comprehensive_filed = comprehensive_filed
            + (NEW.comprehensive_income = '已申报') - (OLD.comprehensive_income = '已申报'),
          business_filed = business_filed + (NEW.business_income = '已申报') - (OLD.business_income = '已申报')
        WHERE person_id IN (SELECT person_id FROM desktop_unit_lists WHERE unit_tin = NEW.tin);
      END;

      -- What changed at which unit (its record, grants, offices, 申报密码, 本市单位), written in the same
      -- transaction as the change by whichever process made it (the hall CLI included): the running
      -- companion reads what is new and ends the unit sessions whose access went with it.
      CREATE TABLE unit_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        unit_tin TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('unit', 'grant', 'office', 'password', 'local'))
      );
      CREATE INDEX unit_changes_by_time ON unit_changes (at);
    `,
  },
  {
    version: 10,
    name: "hall-password-reset",
    sql: `
      -- Set when the hall gives the person a one-time password (taxauth hall password reset): their
      -- login may do nothing but change it. Cleared by any password the person chooses.
      ALTER TABLE people ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 11,
    name: "security-center",
    sql: `
      -- 安全中心's 最近登录: each session opened (by password or 扫码登录, on which client), the newest
      -- 50 of each person kept. token_hash is the session's, to tell which logins are still live.
      CREATE TABLE logins (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id),
        at INTEGER NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('password', 'qr')),
        client_kind TEXT NOT NULL CHECK (client_kind IN ('browser', 'desktop')),
        client_name TEXT NOT NULL,
        token_hash TEXT NOT NULL
      );
      CREATE INDEX logins_by_person ON logins (person_id, at, id);

      -- Changes to a person's account (phone, password) join the audit chain: they belong to no
      -- unit and no grant. SQLite drops a NOT NULL only by copying the table (the rows and their
      -- hashes as they are; dropping it fires no trigger).
      CREATE TABLE audit_log_copy (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        unit_tin TEXT,
        actor_id TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        action TEXT NOT NULL,
        grant_id TEXT,
        before TEXT,
        after TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_log_copy SELECT * FROM audit_log;
      DROP TABLE audit_log;
      ALTER TABLE audit_log_copy RENAME TO audit_log;
      CREATE INDEX audit_log_by_unit ON audit_log (unit_tin, seq);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 12,
    name: "desktop-session-order",
    sql: `
      -- 自定义排序 (▲ ▼) belongs to one login: its first move copies the person's saved default
      -- order (desktop_unit_lists.position, 设定为默认排序) here, and from then on the login reads its
      -- own. The rows go when the login ends, however it ends (the cascade: a password change or a
      -- hall reset ends sessions too).
      CREATE TABLE desktop_session_unit_orders (
        session_hash TEXT NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
        unit_tin TEXT NOT NULL REFERENCES units(tin),
        position REAL NOT NULL,
        PRIMARY KEY (session_hash, unit_tin)
      );
      CREATE INDEX desktop_session_unit_orders_by_position ON desktop_session_unit_orders (session_hash, position);
    `,
  },
  {
    version: 13,
    name: "declaration-unit-guard",
    sql: `
      -- 申报密码 failures across all people at a unit, one row each, kept for the hour they count.
      -- Past the threshold the unit's password path closes: closed_until, and closed_by the failure
      -- that closed it (a right password on that very try reopens it). Its managers are told of many
      -- failures (alerted_at, the last such alert) and of the closing (closure_alerted_for, the
      -- closed_until they were told of). The unit's row is the lock every try at the unit takes.
      CREATE TABLE declaration_unit_guards (
        unit_tin TEXT PRIMARY KEY,
        closed_until INTEGER,
        closed_by TEXT,
        alerted_at INTEGER,
        closure_alerted_for INTEGER
      );
      CREATE TABLE declaration_unit_failures (
        id TEXT PRIMARY KEY,
        unit_tin TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX declaration_unit_failures_by_unit ON declaration_unit_failures (unit_tin, at);
    `,
  },
  {
    version: 14,
    name: "trusted-browsers",
    sql: `
      -- Browsers trusted by pairing (Firefox: each install has its own moz-extension:// origin),
      -- revocable: revoked_at set, and the origin refused again.
      CREATE TABLE trusted_browsers (
        origin TEXT PRIMARY KEY,
        approved_at INTEGER NOT NULL,
        approved_by TEXT NOT NULL,
        revoked_at INTEGER
      );
      -- Browsers asking to be trusted: one request per origin, the code it shows (unique), five
      -- minutes each; a CLI process on the same data dir approves them, so they are stored.
      CREATE TABLE browser_pairings (
        origin TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        requested_at INTEGER NOT NULL
      );
      CREATE INDEX browser_pairings_by_age ON browser_pairings (requested_at);
    `,
  },
  {
    version: 15,
    name: "face-challenges",
    sql: `
      -- 人脸识别认证注册: the moves asked of one attempt (a JSON array of steps, in order), answered
      -- once before expires_at. Expiry follows issue order; the newest few hundred are kept.
      CREATE TABLE face_challenges (
        id TEXT PRIMARY KEY,
        steps TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 16,
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
    version: 17,
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
        decided_at INTEGER,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX grant_requests_one_pending ON grant_requests (requester_id, unit_tin) WHERE state = '待审批';
      CREATE INDEX grant_requests_by_requester ON grant_requests (requester_id, created_at, id);
      CREATE INDEX grant_requests_pending_by_unit ON grant_requests (unit_tin, created_at, id) WHERE state = '待审批';
    `,
  },
];
