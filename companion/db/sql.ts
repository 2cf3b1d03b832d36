/** A value a statement takes as a parameter or gives back in a column. */
export type SqlValue = string | number | null | Buffer;

/** A statement's parameters: in order for `?`, or by name for `@name`. */
export type SqlParams = readonly SqlValue[] | { readonly [name: string]: SqlValue | undefined };

/**
 * The one door to the database every store goes through, whatever the engine. Statements use `?`
 * or `@name` placeholders; each engine's implementation adapts them. Methods return promises so a
 * store reads the same whether its engine answers at once (the embedded SQLite) or over the network.
 */
export interface Sql {
  readonly dialect: "sqlite" | "postgres";
  /** Every row of a query. */
  all<Row>(text: string, params?: SqlParams): Promise<Row[]>;
  /** The first row, if any. */
  one<Row>(text: string, params?: SqlParams): Promise<Row | undefined>;
  /** The first column of the first row, if any. */
  value<V extends SqlValue>(text: string, params?: SqlParams): Promise<V | undefined>;
  /** A write; how many rows it changed. */
  run(text: string, params?: SqlParams): Promise<number>;
  /**
   * Runs fn as one transaction: every statement fn makes (however deep in its calls) is part of
   * it, and no other statement sees its writes before it commits. A check and the write it allows
   * — a counter's check-and-increment — belong in one. Nested calls are savepoints: an inner
   * failure undoes only the inner writes. Keep slow work (hashing, the network) outside.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether the caller is inside a transaction. */
  inTransaction(): boolean;
  /**
   * Runs fn once the caller's transaction commits, and never if it (or the savepoint fn was given
   * in) rolls back; at once outside a transaction. For telling others of a change only when it is
   * real. fn runs right after the commit and must not throw.
   */
  afterCommit(fn: () => void): void;
  /**
   * Notices to the other processes on the same database (PostgreSQL's LISTEN/NOTIFY); null where
   * the engine has none (the embedded SQLite: its writers are found by polling).
   */
  readonly notices: Notices | null;
  /**
   * A mark that changes whenever a write commits, here or in another process on the same
   * database: values derived from the data may be kept while it stays the same. Null where the
   * engine offers none: then nothing derived is kept.
   */
  changeMark(): Promise<string | null>;
  /**
   * Tells `listener` when the database stops answering (false) and when it answers again (true):
   * the companion keeps running meanwhile, refusing with DATABASE_UNAVAILABLE. Never called for
   * the embedded SQLite.
   */
  onAvailability(listener: (available: boolean) => void): () => void;
  close(): Promise<void>;
}

/** Short text messages between the processes sharing one database, on named channels. */
export interface Notices {
  /**
   * Sends `payload` to every process listening on `channel`, itself included. Inside a transaction
   * it goes out at the commit, and not at all if the transaction rolls back.
   */
  send(channel: string, payload: string): Promise<void>;
  /**
   * Hears `channel` over a connection of its own. A dropped connection is opened again (with
   * backoff); what was sent meanwhile is lost, so the listener is told when it is back. Resolves
   * once the first try is over; the function it gives stops listening.
   */
  listen(channel: string, listener: NoticeListener): Promise<() => Promise<void>>;
}

export interface NoticeListener {
  notified(payload: string): void;
  /** Listening again after the connection was lost (or could not be opened at first). */
  reconnected(): void;
}
