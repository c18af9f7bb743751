import pg from 'pg';
import { inlined, type Statement } from './sql-literal.ts';
import { statementName } from './statement-names.ts';

export type { Statement };

/** Parameterised SQL ($1, $2…) answering rows. */
export interface Sql {
  query<R>(text: string, values?: unknown[]): Promise<R[]>;
}

export interface SqlPool extends Sql {
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * One transaction in two round trips however many statements it has: `first` goes with `begin`;
   * `rest` sees the rows of each of them and answers the remaining statements, which go with
   * `commit` — or throws, and the transaction is rolled back. Values are inlined as quoted
   * literals (a query of several statements cannot bind parameters), so each text is parsed
   * every time: this is for writes whose round trips cost more than their parsing does.
   */
  twoTrips(first: Statement[], rest: (rows: unknown[][]) => Statement[]): Promise<void>;
  close(): Promise<void>;
}

/** The rows of each statement of a multi-statement query (pg answers one result, or an array of them). */
const rowsOf = (result: pg.QueryResult | pg.QueryResult[]) =>
  (Array.isArray(result) ? result : [result]).map((r) => r.rows as unknown[]);

const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, values: unknown[] = []) =>
  (await client.query<R & pg.QueryResultRow>({ name: statementName(text), text, values })).rows;

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
): SqlPool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection's error (the server restarting) must not kill the process: the pool drops
  // that connection; the caller hears of it.
  pool.on('error', onIdleError);
  return {
    query: (text, values) => run(pool, text, values),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await work({ query: (text, values) => run(client, text, values) });
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
    async twoTrips(first, rest) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        const head = rowsOf(
          (await client.query(['begin', ...first.map(inlined)].join(';\n'))) as unknown as pg.QueryResult[],
        ).slice(1);
        await client.query([...rest(head).map(inlined), 'commit'].join(';\n'));
      } catch (error) {
        // A failed statement left the transaction aborted (or `rest` refused it): roll it back.
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
