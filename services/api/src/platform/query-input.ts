import { z } from 'zod';

/** Plain decimal digits: no sign, hex, exponent, fraction or whitespace (what `Number()` would also take). */
const DIGITS = /^\d{1,16}$/;
/** Decimal notation with an optional sign and fraction: no exponent, hex, `Infinity` or whitespace. */
const DECIMAL = /^-?\d{1,16}(\.\d{1,16})?$/;
/** An ISO 8601 date, or a date-time with a zone. */
const ISO_DATE = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * Query strings carry text; typed (tRPC) clients send the value itself. These
 * helpers read a query string's text strictly and leave anything else to the
 * schema, so a value they do not take is refused with its field named. The REST
 * adapter does not coerce inputs (trpc-to-openapi's own coercion is `Number()`:
 * `"0x3E8"`, `"1e3"` and `" 12 "` are numbers to it), and it refuses at start a GET
 * input field of a number, boolean or date schema not built with these.
 */
const fromText = <T extends z.ZodType>(parse: (text: string) => unknown, schema: T) =>
  // Typed as what a client may send (text or the value), so the typed client keeps its types.
  z.preprocess((value: string | z.input<T>) => (typeof value === 'string' ? parse(value) : value), schema);

/** An integer query parameter: decimal digits only, within `min`..`max` (at most a safe integer). */
export const queryInt = (min: number, max: number) =>
  fromText(
    (text) => (DIGITS.test(text) ? Number(text) : text),
    z.number().int().min(min).max(Math.min(max, Number.MAX_SAFE_INTEGER)),
  );

/** A number query parameter in decimal notation (coordinates), within `min`..`max`. */
export const queryNumber = (min: number, max: number) =>
  fromText((text) => (DECIMAL.test(text) ? Number(text) : text), z.number().min(min).max(max));

/** A date: an ISO date or date-time string (REST), or a Date (tRPC with superjson); never a bare number. */
export const inputDate = () =>
  fromText((text) => (ISO_DATE.safeParse(text).success ? new Date(text) : text), z.date());

/**
 * A boolean query parameter: `true`/`false`/`1`/`0` as text, or a real boolean from
 * a typed client (`Boolean('false')` would be true).
 */
export const queryBoolean = () =>
  fromText(
    (text) => (text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text),
    z.boolean(),
  );
