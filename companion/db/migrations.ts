/**
 * Numbered migrations, applied in order inside one transaction each. Never edit a shipped one:
 * add the next number.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
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
];
