/**
 * `text` as a quoted SQL string, exactly as `pg.escapeLiteral` quotes it (quotes doubled; with a
 * backslash, an `E''` string with backslashes doubled), but by whole-string replacement: pg's
 * character-by-character concatenation cost ~40 µs per 3.5 KB snapshot, ~7% of station-core's
 * CPU per rental (profiled under `bench:rentals`), every batch inlining a few.
 */
export function quoted(text: string): string {
  const quotedText = `'${text.replaceAll("'", "''")}'`;
  return text.includes('\\') ? ` E${quotedText.replaceAll('\\', '\\\\')}` : quotedText;
}

/** A statement sent with others in one query: `$1`, `$2`… in `text` stand for `values`. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/**
 * A value as an SQL literal, as the bound path would have sent it: strings, dates (ISO, with
 * their zone) and JSON of plain objects quoted and escaped as `pg` does; finite numbers and bigints as
 * they are, negatives in parentheses (`- -1` or `x-1` must not read as a comment or an operator);
 * booleans; null as NULL. Refused, never passed through: NaN and ±Infinity (no SQL number),
 * arrays, buffers and typed arrays (the bound path sends a Postgres array or bytea, not JSON text)
 * and text with `\u0000` (Postgres text and jsonb cannot hold it).
 */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot inline ${value} as an SQL literal`);
    return value < 0 || Object.is(value, -0) ? `(${value})` : String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('cannot inline an invalid date as an SQL literal');
    return quoted(value.toISOString());
  }
  if (Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new TypeError('cannot inline an array or buffer as an SQL literal: bind it as a parameter');
  }
  // In JSON the character arrives escaped, and jsonb refuses the escape as it refuses the character.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.includes('\u0000') || (typeof value !== 'string' && text.includes('\\u0000'))) {
    throw new TypeError('cannot inline text containing \\u0000 as an SQL literal');
  }
  return quoted(text);
}

/** A statement's text cut at each `$n`: `parts[i]`, then the value `refs[i]`, …, then the last part. */
interface Cut {
  parts: string[];
  refs: number[];
}
// Batched texts are compiled queries, a fixed set: each is cut once (scanning a few KB of SQL
// for `$n` on every batch was ~2% of station-core's CPU). Bounded all the same.
const cuts = new Map<string, Cut>();
const MAX_CUTS = 1000;

function cutOf(text: string): Cut {
  let cut = cuts.get(text);
  if (!cut) {
    cut = { parts: [], refs: [] };
    let last = 0;
    for (const match of text.matchAll(/\$(\d+)/g)) {
      cut.parts.push(text.slice(last, match.index));
      cut.refs.push(Number(match[1]));
      last = match.index + match[0].length;
    }
    cut.parts.push(text.slice(last));
    if (cuts.size >= MAX_CUTS) cuts.clear();
    cuts.set(text, cut);
  }
  return cut;
}

/** The statement with its values in place of `$n` (texts carry no other `$`: they are this code's own). */
export function inlined({ text, values = [] }: Statement): string {
  const { parts, refs } = cutOf(text);
  let sql = parts[0] ?? '';
  for (let i = 0; i < refs.length; i++) {
    const n = refs[i] ?? 0;
    if (n > values.length) throw new Error(`no value for $${n}`);
    sql += literal(values[n - 1]) + (parts[i + 1] ?? '');
  }
  return sql;
}
