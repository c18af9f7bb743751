import type { ChunkedStep } from './chunked-step.ts';
import { hashMod, hashUnit, intLiteral, seqUuid } from './sql-expressions.ts';

/** Generated rentals and payments fall in the 90 days before this (UTC midnight). */
export const RENTAL_WINDOW_END = new Date('2026-12-01T00:00:00Z');
export const RENTAL_WINDOW_DAYS = 90;
/** Top-ups generated per rental. */
export const TOPUPS_PER_RENTAL = 0.3;
/** Generated rentals' idempotency keys: the prefix, then the rental's number. */
export const LARGE_RENTAL_KEY_PREFIX = 'lg-rental-';
const RENTAL_KEY_PREFIX = LARGE_RENTAL_KEY_PREFIX;

/** The generated rentals' packages: code, minutes, price (minor units), per-minute rate. */
const PACKAGES = [
  ['LG-30M', 30, 200, 8],
  ['LG-1H', 60, 300, 6],
  ['LG-3H', 180, 700, 5],
  ['LG-DAY', 1440, 1500, 2],
] as const;
const MODES = ['wallet', 'points', 'wallet_points', 'split'];

/** A time in the window for row `n` of `salt`: uniform over the 90 days. */
const windowTime = (n: string, salt: number) =>
  `(timestamptz '${RENTAL_WINDOW_END.toISOString()}' - interval '${RENTAL_WINDOW_DAYS} days'
     + ${hashUnit(n, salt)} * interval '${RENTAL_WINDOW_DAYS} days')`;
const rentalId = (n: string) => seqUuid('rental', n);
const rentalTxId = (n: string) => seqUuid('rental_tx', n);
const userOf = (n: string, users: number) => seqUuid('user', `1 + ${hashMod(n, 28, users)}`);
const series = (first: number, last: number) =>
  `generate_series(${intLiteral(first)}, ${intLiteral(last)}) as n`;
/** The chunk's rentals, each with its number `n`, by key range (UUIDv7 keys grow with n). */
const chunkRentals = (first: number, last: number, join = '') =>
  `rental r cross join lateral (select substr(r.idempotency_key, ${RENTAL_KEY_PREFIX.length + 1})::bigint as n) k ${join}
   where r.id between ${rentalId(intLiteral(first))} and ${rentalId(intLiteral(last))}`;

/**
 * Rentals numbered first..last over the last 90 days before RENTAL_WINDOW_END, with their
 * payments: 82% returned on time, 8% late (a fine, some with a due left), 5% failed before
 * dispensing (their payment failed), 1% lost (a due of 50.00), the rest on time; stations
 * weighted towards the low numbers (busy and quiet ones), users uniform; 1% refunded in part.
 * One transaction per chunk, so a chunk is written whole or not at all.
 */
export const rentalsStep = (network: { stations: number; users: number }): ChunkedStep => ({
  name: 'rentals + payments + refunds',
  unit: 'rentals',
  statements: (first, last) => [
    'begin',
    `insert into rental_package (code, name, payment_model, duration_minutes, price, per_minute_rate, currency, created_at, updated_at)
     values ${PACKAGES.map(([code, minutes, price, rate]) => `('${code}', '${code}', 'prepaid', ${minutes}, ${price}, ${rate}, 'USD', now(), now())`).join(', ')}
     on conflict (code) do nothing`,
    `with pkg(pick, id, minutes, price) as (
       select p.pick, rp.id, rp.duration_minutes, rp.price
         from (values ${PACKAGES.map(([code], i) => `(${i}, '${code}')`).join(', ')}) as p(pick, code)
         join rental_package rp on rp.code = p.code)
     insert into rental (id, user_id, package_id, start_station_id, return_station_id, status, payment_mode, currency,
                         prepaid_amount, wallet_paid, late_fee_amount, due_amount, idempotency_key, failure_reason,
                         started_at, due_at, returned_at, settled_at, created_at, updated_at)
     select ${rentalId('n')}, ${userOf('n', network.users)}, pkg.id, h.station,
            case when h.fate >= 90 and h.fate <= 95 then null else h.station end,
            case when h.fate >= 90 and h.fate < 95 then 'failed' when h.fate = 95 then 'lost' else 'settled' end,
            (array['${MODES.join("','")}'])[1 + ${hashMod('n', 23, MODES.length)}], 'USD',
            case when h.fate >= 90 and h.fate < 95 then 0 else pkg.price end, 0,
            case when h.fate >= 82 and h.fate < 90 then 300 else 0 end,
            case when h.fate = 95 then 5000 when h.fate >= 82 and h.fate < 90 and ${hashMod('n', 29, 5)} = 0 then 300 else 0 end,
            '${RENTAL_KEY_PREFIX}' || n,
            case when h.fate >= 90 and h.fate < 95 then 'dispense timeout' end,
            case when h.fate >= 90 and h.fate < 95 then null else h.at end,
            case when h.fate >= 90 and h.fate < 95 then null else h.at + pkg.minutes * interval '1 minute' end,
            case when h.fate < 82 or h.fate > 95 then h.at + (5 + ${hashMod('n', 25, 25)}) * pkg.minutes / 30 * interval '1 minute'
                 when h.fate < 90 then h.at + (pkg.minutes + 10 + ${hashMod('n', 26, 120)}) * interval '1 minute' end,
            case when h.fate < 90 or h.fate > 95 then h.at + (pkg.minutes + 200) * interval '1 minute' end,
            h.at, h.at
       from ${series(first, last)}
      cross join lateral (select ${windowTime('n', 21)} as at, ${hashMod('n', 24, 100)} as fate,
                                 ${seqUuid('station', `1 + floor(${intLiteral(network.stations)} * power(${hashUnit('n', 27)}, 2))::bigint`)} as station,
                                 ${hashMod('n', 22, PACKAGES.length)} as pick) as h
       join pkg on pkg.pick = h.pick
         on conflict do nothing`,
    `insert into transactions (id, user_id, type, status, amount, currency, wallet_amount, gateway, rental_id, paid_at,
                               description, idempotency_key, created_at, updated_at)
     select ${rentalTxId('k.n')}, r.user_id, 'rental', case when r.status = 'failed' then 'failed' else 'succeeded' end,
            p.price, 'USD', p.price, 'wallet', r.id, case when r.status <> 'failed' then r.created_at end,
            'Rental', 'lg-rental-tx-' || k.n, r.created_at, r.created_at
       from ${chunkRentals(first, last, 'join rental_package p on p.id = r.package_id')}
         on conflict do nothing`,
    `insert into transactions (id, user_id, type, status, amount, currency, wallet_amount, gateway, rental_id, paid_at,
                               description, idempotency_key, created_at, updated_at)
     select ${seqUuid('fine_tx', 'k.n')}, r.user_id, 'fine', 'succeeded', r.late_fee_amount, 'USD', r.late_fee_amount,
            'wallet', r.id, r.returned_at, 'Late fee', 'lg-fine-' || k.n, r.returned_at, r.returned_at
       from ${chunkRentals(first, last)} and r.late_fee_amount > 0
         on conflict do nothing`,
    `insert into refund (id, transaction_id, user_id, amount, currency, reason, status, destination, idempotency_key,
                         processed_at, created_at, updated_at)
     select ${seqUuid('refund', 'k.n')}, ${rentalTxId('k.n')}, r.user_id, 100, 'USD', 'bench: partial refund', 'processed',
            'wallet', 'lg-refund-' || k.n, r.returned_at + interval '1 day', r.returned_at, r.returned_at + interval '1 day'
       from ${chunkRentals(first, last)} and r.status = 'settled' and ${hashMod('k.n', 30, 100)} = 0
         on conflict do nothing`,
    'commit',
  ],
  doneCheck: (last) =>
    `select exists (select 1 from rental where id = ${rentalId(intLiteral(last))}) as done`,
});

/** Wallet top-ups numbered first..last over the same 90 days: 95% succeed, 5.00–100.00. */
export const topUpsStep = (network: { users: number }): ChunkedStep => ({
  name: 'top-ups',
  unit: 'top-ups',
  statements: (first, last) => [
    `insert into transactions (id, user_id, type, status, amount, currency, gateway, paid_at, description,
                               idempotency_key, created_at, updated_at)
     select ${seqUuid('topup', 'n')}, ${seqUuid('user', `1 + ${hashMod('n', 31, network.users)}`)}, 'topup',
            case when h.ok then 'succeeded' else 'failed' end, 500 * (1 + ${hashMod('n', 32, 20)}), 'USD', 'sandbox',
            case when h.ok then h.at end, 'Top-up', 'lg-topup-' || n, h.at, h.at
       from ${series(first, last)}
      cross join lateral (select ${windowTime('n', 34)} as at, ${hashMod('n', 33, 100)} < 95 as ok) as h
         on conflict do nothing`,
  ],
  doneCheck: (last) =>
    `select exists (select 1 from transactions where id = ${seqUuid('topup', intLiteral(last))}) as done`,
});
