import pg from 'pg';

/** A result column as Postgres describes it (pg's `FieldDef`). */
type Field = pg.FieldDef;

/** What this module uses of pg's `Query`, which its types leave out. */
interface QueryInternals {
  name: string;
  values: unknown[];
  hasBeenParsed(connection: pg.Connection): boolean;
  handleRowDescription(message: { fields: Field[] }): void;
  handleError(error: Error, connection: pg.Connection): void;
  _getRows(connection: pg.Connection, rows: number | undefined): void;
  _result: ResultInternals;
  _accumulateRows: boolean;
}

/** What this module uses of pg's `Result`: its columns, their value parsers and its client's type parsers. */
interface ResultInternals {
  command: string | null;
  fields: Field[];
  _parsers: ((text: string) => unknown)[] | undefined;
  _types: { getTypeParser(oid: number, format: string): (text: string) => unknown };
}

/**
 * Each statement's column parsers, per client type-parser set (a pool's clients share one
 * config, so a handful of sets). pg rebuilds them for every execution (`Result.addFields`: a
 * type lookup per column and an empty row object for the object row mode) — measured ~8 µs of a
 * search's ~180 µs of Node CPU; the parsers of a name never change, so they are built once.
 */
const parsersByTypes = new WeakMap<object, Map<string, ((text: string) => unknown)[]>>();

function parsersOf(types: ResultInternals['_types'], name: string, fields: readonly Field[]) {
  let byName = parsersByTypes.get(types);
  if (!byName) {
    byName = new Map();
    parsersByTypes.set(types, byName);
  }
  let parsers = byName.get(name);
  if (!parsers) {
    parsers = fields.map((field) => types.getTypeParser(field.dataTypeID, field.format || 'text'));
    byName.set(name, parsers);
  }
  return parsers;
}

/**
 * The result columns of each statement name this process has run (a name is one text: the same
 * columns and types on every connection). A schema change that alters them makes Postgres refuse
 * the prepared statement ("cached plan must not change result type"), as it would without this.
 */
const descriptions = new Map<string, Field[]>();

/**
 * pg's query with two things taken out of every execution of a named statement after the first:
 * - the Describe message: pg asks Postgres to describe the result on every execution, and Postgres
 *   answers with the same row description each time, which pg then parses and builds its column
 *   parsers from. The first execution's description is kept here and reused;
 * - row objects: rows are arrays (`rowMode: 'array'`), one value per column in the select's order.
 * The first execution on a connection parses the statement (and describes it once per process).
 */
class DescribedOnceQuery extends pg.Query {
  private readonly settled: Promise<pg.QueryArrayResult>;

  constructor(name: string, text: string, values: readonly unknown[]) {
    let settle!: (error: Error | undefined, result: pg.QueryArrayResult) => void;
    const settled = new Promise<pg.QueryArrayResult>((resolve, reject) => {
      settle = (error, result) => (error ? reject(error) : resolve(result));
    });
    const config: pg.QueryArrayConfig = { name, text, values: [...values], rowMode: 'array' };
    super(config, settle as never);
    this.settled = settled;
  }

  /** Called by pg when it sends the statement (its `prepare`, overridden): Bind, Execute, Sync only once described. */
  prepare(connection: pg.Connection): void {
    const self = this as unknown as QueryInternals;
    const fields = descriptions.get(self.name);
    if (!fields || !self.hasBeenParsed(connection)) {
      (pg.Query.prototype as unknown as { prepare(c: pg.Connection): void }).prepare.call(this, connection);
      return;
    }
    // pg's own bind, less the Describe that follows it there.
    try {
      connection.bind(
        {
          portal: '',
          statement: self.name,
          values: self.values,
          binary: false,
          valueMapper: pgUtils.prepareValue,
        } as unknown as pg.BindConfig, // pg's types have `binary` wrong (a string)
        false,
      );
    } catch (error) {
      // A value pg cannot serialise: nothing of this query was sent; as pg does, sync so the
      // connection comes back ready, and fail the query.
      connection.sync();
      self.handleError(error as Error, connection);
      return;
    }
    self.handleRowDescription({ fields });
    self._getRows(connection, undefined);
  }

  handleRowDescription(message: { fields: Field[] }): void {
    const self = this as unknown as QueryInternals;
    if (!descriptions.has(self.name)) descriptions.set(self.name, message.fields);
    const result = self._result;
    // pg's own path for a second result set (never for one prepared statement) or a client without its parsers.
    if (result.command || !result._types) {
      (pg.Query.prototype as unknown as QueryInternals).handleRowDescription.call(this, message);
      return;
    }
    // pg's `addFields`, less the rebuilding; rows are arrays, so its empty row object is not needed.
    result.fields = message.fields;
    result._parsers = parsersOf(result._types, self.name, message.fields);
    // As pg decides it: this query has its callback (the settle), so its rows are gathered.
    self._accumulateRows = true;
  }

  /**
   * pg hands a submitted query object back from `client.query` rather than a promise; Kysely
   * awaits what it gets, so the query is awaitable: it settles with pg's result.
   */
  // biome-ignore lint/suspicious/noThenProperty: awaited by Kysely's driver in place of pg's promise.
  then<T1, T2 = never>(
    onFulfilled?: (result: pg.QueryArrayResult) => T1 | PromiseLike<T1>,
    onRejected?: (reason: unknown) => T2 | PromiseLike<T2>,
  ): Promise<T1 | T2> {
    return this.settled.then(onFulfilled, onRejected);
  }
}

/** pg's value serialiser for Bind (dates, arrays, buffers, JSON as pg sends them). */
const pgUtils = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

/** A statement for Kysely's `executeQuery` whose pg query is a `DescribedOnceQuery`. */
export const describedOnceQuery = (name: string, text: string, values: readonly unknown[]) =>
  new DescribedOnceQuery(name, text, values);
