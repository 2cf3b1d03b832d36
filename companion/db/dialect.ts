import type { Sql } from "./sql.js";

/**
 * The few SQL expressions the two engines spell differently, for the stores that need them. The
 * rest of the stores' SQL is common to SQLite and PostgreSQL.
 */
export type Dialect = Sql["dialect"];

/** `expr` of a group's rows joined with commas. */
export const joinedSql = (dialect: Dialect, expr: string) =>
  dialect === "postgres" ? `string_agg(${expr}, ',')` : `group_concat(${expr})`;

/** The larger of two numbers. */
export const greaterSql = (dialect: Dialect, a: string, b: string) =>
  dialect === "postgres" ? `GREATEST(${a}, ${b})` : `MAX(${a}, ${b})`;

/** Epoch ms of the Shanghai midnight after the YYYY-MM-DD in `column` (UTC+8 all year since 1991). */
export const dayAfterStartSql = (dialect: Dialect, column: string) =>
  dialect === "postgres"
    ? `(CAST(EXTRACT(EPOCH FROM (CAST(${column} AS date) + 1)) AS BIGINT) * 1000 - 28800000)`
    : `(CAST(ROUND((julianday(${column}, '+1 day') - 2440587.5) * 86400000) AS INTEGER) - 28800000)`;

/** The values of a JSON array given as the text parameter `@param`, as a subquery for `IN`. */
export const jsonValuesSql = (dialect: Dialect, param: string) =>
  dialect === "postgres"
    ? `(SELECT json_array_elements_text(CAST(@${param} AS json)))`
    : `(SELECT value FROM json_each(@${param}))`;

/**
 * Appended to a SELECT read inside a transaction to decide a write: PostgreSQL locks the rows until
 * the transaction ends, so another connection's check waits for this one's write. SQLite has no
 * row locks and needs none: its transactions (BEGIN IMMEDIATE) already run one at a time.
 */
export const forUpdateSql = (dialect: Dialect) => (dialect === "postgres" ? " FOR UPDATE" : "");

/**
 * A statement that holds a lock on the text parameter until the transaction ends, for a decision
 * with no row yet to lock (a first send); null on SQLite, whose transactions already run one at a
 * time.
 */
export const keyLockSql = (dialect: Dialect) =>
  dialect === "postgres" ? "SELECT pg_advisory_xact_lock(hashtext(?))" : null;

/** The integers of a JSON array given as the text parameter `@param`, as a subquery for `IN`. */
export const jsonIntegersSql = (dialect: Dialect, param: string) =>
  dialect === "postgres"
    ? `(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(@${param} AS json)))`
    : `(SELECT value FROM json_each(@${param}))`;
