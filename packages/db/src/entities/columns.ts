import { p } from '@mikro-orm/core';
import { uuidv7 } from 'uuidv7';

/**
 * Column builders shared by every entity, so the same concept is always the
 * same column: time-ordered UUID keys (index-friendly), money as bigint minor
 * units (read as a JS number: exact up to 2^53, far beyond any balance), a
 * currency code, and created/updated timestamps.
 */
export const uuidKey = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => uuidv7());
export const serialKey = () => p.integer().primary().autoincrement();
export const money = () => p.bigint('number');
export const currency = () => p.string().length(3).default('USD');
export const createdAt = () => p.datetime().onCreate(() => new Date());
export const updatedAt = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date());
export const timestamps = () => ({ createdAt: createdAt(), updatedAt: updatedAt() });

/** A `CHECK (col >= 0)` written once; used for balances, amounts and counts. */
export const nonNegative = (name: string, column: string) => ({ name, expression: `${column} >= 0` });

export { uuidv7 };
