import { randomUUID } from 'node:crypto';
import { generateSessionToken, sessionIdOf } from '../platform/session.ts';

export interface CrowdMember {
  userId: string;
  token: string;
}

export interface Crowd {
  users: CrowdMember[];
  /** SQL statements (no parameters) creating every user with a session, a wallet and points, ledger rows included; run them in one transaction. */
  statements: string[];
}

/**
 * `n` signed-in users with `wallet` minor units and `points` points, as rows a
 * registration and a top-up would leave (user, profile, wallet and points
 * accounts with their opening ledger rows, a live session), written by one
 * SQL script instead of `n` OTP round trips: hostile tests and benchmarks need
 * a thousand users in a second, not a minute. Every value in the script is a
 * generated uuid, token hash or number, so there is nothing to escape.
 */
export function aCrowd(n: number, { wallet = 10_000, points = 0 } = {}): Crowd {
  const users = Array.from({ length: n }, () => ({ userId: randomUUID(), token: generateSessionToken() }));
  const tag = randomUUID().replaceAll('-', '').slice(0, 8);
  const rows = users.map((u, i) => `('${u.userId}'::uuid, '${sessionIdOf(u.token)}', ${i})`).join(',\n');
  const sql = `
create temporary table crowd_${tag} (user_id uuid, session_id text, n int) on commit drop;
insert into crowd_${tag} values ${rows};
insert into users (id, status, referral_code, created_at, updated_at)
  select user_id, 'active', 'C${tag}' || n, now(), now() from crowd_${tag};
insert into user_profile (id, user_id, created_at, updated_at)
  select gen_random_uuid(), user_id, now(), now() from crowd_${tag};
insert into wallet (id, user_id, balance, held, currency, version, created_at, updated_at)
  select gen_random_uuid(), user_id, ${wallet}, 0, 'USD', 1, now(), now() from crowd_${tag};
insert into user_points (id, user_id, balance, lifetime_earned, created_at, updated_at)
  select gen_random_uuid(), user_id, ${points}, ${points}, now(), now() from crowd_${tag};
${
  wallet > 0
    ? `insert into wallet_transaction (id, wallet_id, user_id, type, amount, balance_after, currency, idempotency_key, description, created_at)
  select gen_random_uuid(), w.id, w.user_id, 'topup', ${wallet}, ${wallet}, 'USD', 'crowd-topup:' || w.user_id, 'Crowd top-up', now()
    from wallet w join crowd_${tag} c on c.user_id = w.user_id;`
    : ''
}
${
  points > 0
    ? `insert into points_transaction (id, account_id, user_id, type, points, balance_after, idempotency_key, description, created_at)
  select gen_random_uuid(), p.id, p.user_id, 'adjustment', ${points}, ${points}, 'crowd-points:' || p.user_id, 'Crowd points', now()
    from user_points p join crowd_${tag} c on c.user_id = p.user_id;`
    : ''
}
insert into user_session (id, user_id, expires_at, last_used_at, created_at)
  select session_id, user_id, now() + interval '30 days', now(), now() from crowd_${tag};`;
  return {
    users,
    statements: sql
      .split(';\n')
      .map((s) => s.trim().replace(/;$/, ''))
      .filter(Boolean),
  };
}
