import type { PersonSummary } from "../../shared/api/accounts.js";
import { classifyLoginIdentifier, maskPersonName, maskPhone } from "../../shared/identity/account-rules.js";
import type { DocumentType } from "../../shared/identity/documents.js";
import { maskDocumentNumber, normalizeDocumentNumber } from "../../shared/identity/documents.js";
import type { Sql } from "../db/sql.js";

export interface Person {
  id: string;
  docType: DocumentType;
  docNumber: string;
  name: string;
  nationality: string;
  loginName: string;
  phone: string | null;
  passwordHash: string;
  /** The password is a one-time one from the hall: the login may do nothing but change it. */
  mustChangePassword: boolean;
}

interface PersonRow {
  id: string;
  doc_type: DocumentType;
  doc_number: string;
  name: string;
  nationality: string;
  login_name: string;
  phone: string | null;
  password_hash: string;
  must_change_password: number;
}

const fromRow = (row: PersonRow | undefined): Person | null =>
  row
    ? {
        id: row.id,
        docType: row.doc_type,
        docNumber: row.doc_number,
        name: row.name,
        nationality: row.nationality,
        loginName: row.login_name,
        phone: row.phone,
        passwordHash: row.password_hash,
        mustChangePassword: row.must_change_password === 1,
      }
    : null;

export function personSummary(person: Person): PersonSummary {
  return {
    id: person.id,
    maskedName: maskPersonName(person.name),
    loginName: person.loginName,
    docType: person.docType,
    maskedDocNumber: maskDocumentNumber(person.docNumber),
    maskedPhone: person.phone ? maskPhone(person.phone) : null,
  };
}

/**
 * A login identifier as login reads it — its kind, and a document number in its canonical form
 * (x and X, spaces) — so that the ways of typing one identifier share one counter, known or not.
 */
export function loginIdentifierKey(account: string): string {
  const kind = classifyLoginIdentifier(account);
  return `${kind}:${kind === "docNumber" ? normalizeDocumentNumber("居民身份证", account) : account}`;
}

export interface NewPerson extends Omit<Person, "id" | "mustChangePassword"> {
  id: string;
  registeredVia: "hall-code" | "face";
  createdAt: number;
}

/** Store queries for registered people (accounts). */
export function peopleStore(sql: Sql) {
  const find = async (where: string, params: string[]) =>
    fromRow(await sql.one<PersonRow>(`SELECT * FROM people WHERE ${where}`, params));
  const byPhone = (phone: string) => find("phone = ?", [phone]);
  const byLoginName = (loginName: string) => find("login_name = ?", [loginName]);
  const byDocument = (docType: DocumentType, docNumber: string) =>
    find("doc_type = ? AND doc_number = ?", [docType, docNumber]);

  return {
    byId: (id: string) => find("id = ?", [id]),
    byPhone,
    byLoginName,
    byDocument,
    /**
     * Login by 手机号 / 证件号码 / 登录名. A document number finds 居民身份证 holders only: people
     * registered with other documents log in by 登录名 or 手机号 (seed, 账号密码登录).
     */
    byLoginIdentifier(account: string): Promise<Person | null> {
      switch (classifyLoginIdentifier(account)) {
        case "phone":
          return byPhone(account);
        case "docNumber":
          return byDocument("居民身份证", normalizeDocumentNumber("居民身份证", account));
        case "loginName":
          return byLoginName(account);
      }
    },
    insert: async (person: NewPerson) => {
      await sql.run(
        `INSERT INTO people (id, doc_type, doc_number, name, nationality, login_name, phone, password_hash, registered_via, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          person.id,
          person.docType,
          person.docNumber,
          person.name,
          person.nationality,
          person.loginName,
          person.phone,
          person.passwordHash,
          person.registeredVia,
          person.createdAt,
        ],
      );
    },
    /** A password the person chose, or (`oneTime`) one the hall handed out, to be changed at the next login. */
    setPasswordHash: async (personId: string, passwordHash: string, oneTime = false) => {
      await sql.run("UPDATE people SET password_hash = ?, must_change_password = ? WHERE id = ?", [
        passwordHash,
        oneTime ? 1 : 0,
        personId,
      ]);
    },
    /** Binds a phone, or (null) unbinds the one bound. */
    setPhone: async (personId: string, phone: string | null) => {
      await sql.run("UPDATE people SET phone = ? WHERE id = ?", [phone, personId]);
    },
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type PeopleStore = ReturnType<typeof peopleStore>;
