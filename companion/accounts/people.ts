import type { PersonSummary } from "../../shared/api/accounts.js";
import { classifyLoginIdentifier, maskPersonName, maskPhone } from "../../shared/identity/account-rules.js";
import type { DocumentType } from "../../shared/identity/documents.js";
import { maskDocumentNumber, normalizeDocumentNumber } from "../../shared/identity/documents.js";
import type { Db } from "../db/database.js";

export interface Person {
  id: string;
  docType: DocumentType;
  docNumber: string;
  name: string;
  nationality: string;
  loginName: string;
  phone: string | null;
  passwordHash: string;
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

export interface NewPerson extends Omit<Person, "id"> {
  id: string;
  registeredVia: "hall-code" | "face";
  createdAt: number;
}

/** Store queries for registered people (accounts). */
export function peopleStore(db: Db) {
  const byId = db.prepare("SELECT * FROM people WHERE id = ?");
  const byPhone = db.prepare("SELECT * FROM people WHERE phone = ?");
  const byLoginName = db.prepare("SELECT * FROM people WHERE login_name = ?");
  const byDocument = db.prepare("SELECT * FROM people WHERE doc_type = ? AND doc_number = ?");
  const insert = db.prepare(
    `INSERT INTO people (id, doc_type, doc_number, name, nationality, login_name, phone, password_hash, registered_via, created_at)
     VALUES (@id, @docType, @docNumber, @name, @nationality, @loginName, @phone, @passwordHash, @registeredVia, @createdAt)`,
  );
  const setPassword = db.prepare("UPDATE people SET password_hash = ? WHERE id = ?");

  return {
    byId: (id: string) => fromRow(byId.get(id) as PersonRow | undefined),
    byPhone: (phone: string) => fromRow(byPhone.get(phone) as PersonRow | undefined),
    byLoginName: (loginName: string) => fromRow(byLoginName.get(loginName) as PersonRow | undefined),
    byDocument: (docType: DocumentType, docNumber: string) =>
      fromRow(byDocument.get(docType, docNumber) as PersonRow | undefined),
    /**
     * Login by 手机号 / 证件号码 / 登录名. A document number finds 居民身份证 holders only: people
     * registered with other documents log in by 登录名 or 手机号 (seed, 账号密码登录).
     */
    byLoginIdentifier(account: string): Person | null {
      switch (classifyLoginIdentifier(account)) {
        case "phone":
          return fromRow(byPhone.get(account) as PersonRow | undefined);
        case "docNumber":
          return fromRow(
            byDocument.get("居民身份证", normalizeDocumentNumber("居民身份证", account)) as PersonRow | undefined,
          );
        case "loginName":
          return fromRow(byLoginName.get(account) as PersonRow | undefined);
      }
    },
    insert: (person: NewPerson) => insert.run(person),
    setPasswordHash: (personId: string, passwordHash: string) => setPassword.run(passwordHash, personId),
  };
}

export type PeopleStore = ReturnType<typeof peopleStore>;
