import pg from 'pg';

/** A statement sent with others in one query: `$1`, `$2`… in `text` stand for `values`. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/**
 * A value as an SQL literal: strings, dates (ISO, with their zone) and JSON of other objects quoted
 * and escaped by `pg`; numbers and booleans as they are; null as NULL.
 */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  return pg.escapeLiteral(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The statement with its values in place of `$n` (texts carry no other `$`: they are this code's own). */
export const inlined = ({ text, values = [] }: Statement) =>
  text.replace(/\$(\d+)/g, (_all, n: string) => {
    if (Number(n) > values.length) throw new Error(`no value for $${n}`);
    return literal(values[Number(n) - 1]);
  });
