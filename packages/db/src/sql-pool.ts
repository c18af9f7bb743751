import pg from 'pg';
import { inlined, type Statement } from './sql-literal.ts';
import { statementName } from './statement-names.ts';
import { type Prepared, valuesOf, type Wire } from './typed-query.ts';

export type { Statement };

/** Parameterised SQL ($1, $2…) answering rows. */
export interface Sql {
  /** A typed query (`prepared`) with its parameters: the rows it answers. */
  rows<P, R>(query: Prepared<P, R>, params: P): Promise<Wire<R>[]>;
  /** Untyped text: for statements not built with `prepared` (say why where used). */
  query<R>(text: string, values?: unknown[]): Promise<R[]>;
}

export interface SqlPool extends Sql {
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * Statements as one transaction in one round trip: one query of them all, which Postgres runs
   * as one transaction — all or nothing. Values are inlined as quoted literals (a query of several
   * statements cannot bind parameters), so each text is parsed every time: this is for writes
   * whose round trips cost more than their parsing does. A statement that must stop the rest
   * fails (raises an error); nothing the statements answer comes back.
   */
  batch(statements: Statement[]): Promise<void>;
  close(): Promise<void>;
}

const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, values: unknown[] = []) =>
  (await client.query<R & pg.QueryResultRow>({ name: statementName(text), text, values })).rows;

const sqlOn = (client: pg.Pool | pg.PoolClient): Sql => ({
  rows: (query, params) => run(client, query.text, valuesOf(query, params)),
  query: (text, values) => run(client, text, values),
});

/**
 * A small pool of plain `pg` connections for hot paths written in SQL (station-core's writes):
 * parameters are bound, not inlined into the text, and each statement is prepared once per
 * connection — no ORM query building, quoting or unit of work on the way. The ORM keeps
 * everything else; this is for statements that already are plain SQL.
 */
export function openSqlPool(
  connectionString: string,
  max: number,
  onIdleError: (error: Error) => void = () => {},
  /** More `pg` pool options: the deadlines (`deadlineOptions`), the idle timeout. */
  options: pg.PoolConfig = {},
): SqlPool {
  const pool = new pg.Pool({ ...options, connectionString, max });
  // An idle connection's error (the server restarting) must not kill the process: the pool drops
  // that connection; the caller hears of it.
  pool.on('error', onIdleError);
  return {
    ...sqlOn(pool),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await work(sqlOn(client));
        await client.query('commit');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is closed rather than handed out again.
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async batch(statements) {
      if (statements.length === 0) return;
      // No parameters: pg sends it with the simple protocol, which takes several statements at once.
      await pool.query(statements.map(inlined).join(';\n'));
    },
    close: () => pool.end(),
  };
}
