import { DomainError } from './errors.ts';

/** An amount of money: integer minor units (cents) of a currency. Never a float. */
export interface Money {
  amount: number;
  currency: string;
}

/** What a response carries for an amount: the integer, its currency, and a display string. */
export interface FormattedMoney extends Money {
  formatted: string;
}

/**
 * Throws unless `value` is an integer a JS number holds exactly. Balances are
 * `bigint` columns read as numbers; past 2^53 arithmetic would silently round.
 */
export function assertMinorUnits(value: number, what = 'amount'): number {
  if (!Number.isSafeInteger(value)) {
    throw new DomainError('VALIDATION_FAILED', `${what} must be a whole number of minor units`, {
      [what]: value,
    });
  }
  return value;
}

/** Like assertMinorUnits, and strictly positive (a debit, credit or price). */
export function assertPositiveMinorUnits(value: number, what = 'amount'): number {
  assertMinorUnits(value, what);
  if (value <= 0) throw new DomainError('VALIDATION_FAILED', `${what} must be positive`, { [what]: value });
  return value;
}

/** Sum that refuses to leave the exact integer range instead of rounding. */
export function addMinorUnits(a: number, b: number): number {
  return assertMinorUnits(assertMinorUnits(a) + assertMinorUnits(b), 'sum');
}

const fractionDigitsCache = new Map<string, number>();

/** Minor-unit digits of a currency (USD 2, JPY 0), from the platform's ISO 4217 data. */
export function currencyFractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** Minor units in one major unit of the currency (100 for USD). */
export function minorPerUnit(currency: string): number {
  return 10 ** currencyFractionDigits(currency);
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Building a formatter costs far more than formatting; a handful of locale/currency pairs are ever used. */
function currencyFormatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * `{ amount, currency, formatted }` for a response. The display string is built
 * from an exact decimal string, never from `amount / 100` (a float).
 */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): FormattedMoney {
  assertMinorUnits(amount);
  const digits = currencyFractionDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount)
    .toString()
    .padStart(digits + 1, '0');
  const decimal = digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  // Intl formats numeric strings exactly (ES2023); the cast only widens the older typing.
  return {
    amount,
    currency,
    formatted: currencyFormatter(locale, currency).format(decimal as unknown as number),
  };
}
