import { type AliasedRawBuilder, sql } from 'kysely';

/** The Postgres types a batch's rows are read as, and what each is in TypeScript. */
interface RecordTypes {
  text: string;
  uuid: string;
  int: number;
  jsonb: unknown;
  timestamptz: Date;
  /** A calendar day, `YYYY-MM-DD` (as the ORM's date columns). */
  date: string;
}
/** A batch row's columns: name → Postgres type (`?` for one that may be null). */
export type RecordColumns = Record<string, keyof RecordTypes | `${keyof RecordTypes}?`>;
/** The row type `columns` describe. */
export type RecordOf<C extends RecordColumns> = {
  [K in keyof C]: C[K] extends `${infer T extends keyof RecordTypes}?`
    ? RecordTypes[T] | null
    : C[K] extends keyof RecordTypes
      ? RecordTypes[C[K]]
      : never;
};

/**
 * A batch's rows, sent as one jsonb parameter and read as a table (`jsonb_to_recordset`), for a
 * typed query's `from`, `join` or `insert … select`: one statement and one parameter however many
 * rows the batch has. `json` is the parameter (a `prepared` stand-in); the query sees `alias`'s
 * columns with the types `columns` give.
 *
 * @example
 * db.updateTable('station_command as c')
 *   .from(recordset(p.rows, 'x', { id: 'text', status: 'text' }))
 *   .set((eb) => ({ status: eb.ref('x.status') }))
 *   .whereRef('c.id', '=', 'x.id')
 */
export function recordset<A extends string, C extends RecordColumns>(
  json: string,
  alias: A,
  columns: C,
): AliasedRawBuilder<RecordOf<C>, A> {
  const definitions = Object.entries(columns).map(
    ([name, type]) => sql`${sql.id(name)} ${sql.raw(type.replace('?', ''))}`,
  );
  return sql<RecordOf<C>>`jsonb_to_recordset(${json}::jsonb)`.as<A>(
    sql`${sql.id(alias)}(${sql.join(definitions)})`,
  );
}
