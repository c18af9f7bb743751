import type { ChunkedStep } from './chunked-step.ts';
import { intLiteral, seqTimestamp, seqUuid } from './sql-expressions.ts';

/** Referral codes of generated users start with this; phones are +1 999 nnnnnnn (an unassigned area code). */
export const LARGE_USER_REFERRAL_PREFIX = 'LG';
export const LARGE_USER_PHONE_PREFIX = '+1999';
export const MAX_LARGE_USERS = 9_999_999;

const userId = (n: string) => seqUuid('user', n);
const series = (first: number, last: number) =>
  `generate_series(${intLiteral(first)}, ${intLiteral(last)}) as n`;
const stamps = `${seqTimestamp('n')}, ${seqTimestamp('n')}`;

/**
 * Users numbered first..last with what registration creates: profile, wallet
 * and points account. Balances are 0, so no ledger rows are needed for the
 * ledger sum to equal the balance.
 */
export const usersStep: ChunkedStep = {
  name: 'users + profiles + wallets + points',
  unit: 'users',
  statements: (first, last) => [
    `insert into users (id, phone, full_name, country_code, status, referral_code, created_at, updated_at)
select ${userId('n')}, '${LARGE_USER_PHONE_PREFIX}' || lpad(n::text, 7, '0'), 'Bench User ' || n, 'US', 'active',
       '${LARGE_USER_REFERRAL_PREFIX}' || lpad(n::text, 8, '0'), ${stamps}
  from ${series(first, last)}
    on conflict do nothing`,
    `insert into user_profile (id, user_id, first_name, last_name, language, created_at, updated_at)
select ${seqUuid('user_profile', 'n')}, ${userId('n')}, 'Bench', 'User ' || n, 'en', ${stamps}
  from ${series(first, last)}
    on conflict do nothing`,
    `insert into wallet (id, user_id, balance, held, currency, version, created_at, updated_at)
select ${seqUuid('wallet', 'n')}, ${userId('n')}, 0, 0, 'USD', 1, ${stamps}
  from ${series(first, last)}
    on conflict do nothing`,
    `insert into user_points (id, user_id, balance, lifetime_earned, tier, version, created_at, updated_at)
select ${seqUuid('user_points', 'n')}, ${userId('n')}, 0, 0, 'bronze', 1, ${stamps}
  from ${series(first, last)}
    on conflict do nothing`,
  ],
  // user_points is written last, so its presence for the chunk's last user means the chunk is complete.
  doneCheck: (last) =>
    `select exists (select 1 from user_points where user_id = ${userId(intLiteral(last))}) as done`,
};
