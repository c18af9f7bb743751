/**
 * SQL expressions that make the large data set deterministic without any
 * client-side state: every key and every "random" value is a pure function of
 * a row's sequence number, computed inside Postgres. So a slot can name its
 * power bank's id without a join, and re-running a chunk produces the same rows.
 */

/** All generated rows are dated from here; row n is n milliseconds later. */
export const GENERATED_AT = new Date('2026-01-01T00:00:00Z');
const GENERATED_AT_MS = GENERATED_AT.getTime();

/**
 * A UUIDv7 (like the ORM's `uuidv7()` keys) for row `seq` of `kind`: the time
 * field is GENERATED_AT + seq ms, so keys grow with seq and B-tree inserts stay
 * at the right edge; the rest comes from md5(kind:seq).
 */
export function seqUuid(kind: string, seq: string): string {
  const hex = `md5('${kind}:' || (${seq}))`;
  const millis = `lpad(to_hex(${GENERATED_AT_MS}::bigint + (${seq})), 12, '0')`;
  return `overlay(overlay(overlay(${hex} placing ${millis} from 1) placing '7' from 13) placing '8' from 17)::uuid`;
}

/** The creation time of row `seq`. */
export function seqTimestamp(seq: string): string {
  return `(timestamptz '${GENERATED_AT.toISOString()}' + (${seq}) * interval '1 millisecond')`;
}

/** Hash of (seq, salt) as a non-negative int; different salts give independent values. */
const hashOf = (seq: string, salt: number) => `(hashint8((${seq})::bigint * 1009 + ${salt}) & 2147483647)`;

/** Deterministic integer in [0, modulus). */
export const hashMod = (seq: string, salt: number, modulus: number) => `(${hashOf(seq, salt)} % ${modulus})`;

/** Deterministic float in [0, 1). */
export const hashUnit = (seq: string, salt: number) => `(${hashOf(seq, salt)}::float8 / 2147483648.0)`;

/** A non-negative safe integer, for literals spliced into SQL text. */
export function intLiteral(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a non-negative integer: ${value}`);
  return String(value);
}
