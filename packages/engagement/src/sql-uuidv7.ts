import { type RawBuilder, sql } from '@powerbank/db';

/**
 * An SQL expression making a UUIDv7 (48-bit Unix milliseconds, then random bits) like the ORM's
 * `uuidv7()` keys, for rows inserted set-based in SQL: inbox lists page by time-ordered ids, so a
 * `gen_random_uuid()` (v4) id would sort anywhere. Postgres 15 has no `uuidv7()` of its own.
 */
export const SQL_UUIDV7 = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
  substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6),
  52, 1), 53, 1), 'hex')::uuid`;

/** `SQL_UUIDV7` as an expression of a typed query. */
export const uuidv7Sql = (): RawBuilder<string> => sql.raw<string>(SQL_UUIDV7);
