import { readFileSync } from 'node:fs';
import { createApiClient } from '@powerbank/api-client';
import { ADMIN_ROLES } from '@powerbank/db';
import { subjects } from '@powerbank/protocol';
import { describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';
import { rootRouter } from '../../trpc/root-router.ts';
import type { ApiMeta } from '../../trpc/trpc.ts';

const api = useTestApi();

type Caller = (typeof ADMIN_ROLES)[number] | 'customer';
const CALLERS: readonly Caller[] = [...ADMIN_ROLES, 'customer'];

interface AdminProcedure {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  allowed: Set<Caller>;
  rest?: { method: string; path: string };
}

/** Every procedure the router holds that names admin roles, read from the router itself (not a list kept by hand). */
function adminProcedures(): AdminProcedure[] {
  const procedures = rootRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: string; meta?: ApiMeta } }
  >;
  return Object.entries(procedures)
    .filter(([path, p]) => path.startsWith('admin.') || p._def.meta?.adminRoles)
    .map(([path, p]) => ({
      path,
      type: p._def.type as AdminProcedure['type'],
      allowed: new Set<Caller>(['super_admin', ...(p._def.meta?.adminRoles ?? [])]),
      rest: p._def.meta?.openapi && { method: p._def.meta.openapi.method, path: p._def.meta.openapi.path },
    }));
}

/** docs/admin.md's matrix: procedure → the roles ticked. */
function documentedMatrix(): Map<string, Set<Caller>> {
  const doc = readFileSync(new URL('../../../../../docs/admin.md', import.meta.url), 'utf8');
  const lines = doc.split('\n').filter((line) => line.startsWith('| `'));
  const header = doc.split('\n').find((line) => line.startsWith('| procedure'));
  const roles =
    header
      ?.split('|')
      .slice(3, -1)
      .map((cell) => cell.trim()) ?? [];
  expect(roles).toEqual([...ADMIN_ROLES]);
  return new Map(
    lines.map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      const allowed = roles.filter((_, i) => cells[2 + i] === '✓') as Caller[];
      return [cells[0]?.replaceAll('`', '') ?? '', new Set(allowed)];
    }),
  );
}

/**
 * The content of every table an admin procedure writes, as one hash per table (the
 * test database is small). Sessions are only counted: each request marks its own
 * session used.
 */
async function fingerprint(): Promise<unknown> {
  const tables = [
    'admin_action_log',
    'users',
    'wallet',
    'wallet_transaction',
    'user_points',
    'points_transaction',
    'rental',
    'user_kyc',
    'refund',
    'station_issue',
    'rental_issue',
    'notification',
    'app_config',
    'rental_package',
    'payment_method',
    'faq',
    'banner',
    'content_page',
    'app_version',
    'country',
    'station_amenity',
    'seller_payout',
    'seller_account',
    'seller_account_entry',
  ];
  const connection = api().deps.orm.em.getConnection();
  const hashes = await Promise.all(
    tables.map(async (table) => {
      const [row] = await connection.execute(
        `select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as hash from ${table} t`,
      );
      return [table, row?.hash];
    }),
  );
  const [sessions] = await connection.execute(`select count(*)::int as n from user_session`);
  return [...hashes, ['user_session', sessions?.n]];
}

const fill = (path: string) => path.replace(/\{[^}]+\}/g, () => crypto.randomUUID());

/**
 * A live stream answers nothing until an event comes, so events are sent through NATS (as core
 * would: a station never seen, a return) until the first reaches the caller or the refusal does.
 */
function callSubscription(node: any): Promise<string> {
  const nats = api().deps.nats;
  const subject = subjects(api().deps.env.NATS_PREFIX);
  return new Promise((resolve) => {
    const probe = setInterval(() => {
      const sn = `PROBE-${crypto.randomUUID()}`;
      nats.publish(
        subject.coreEvent('station'),
        JSON.stringify({ sn, status: 'online', lastHeartbeatAt: null, slots: [] }),
      );
      nats.publish(subject.coreEvent('return'), JSON.stringify({ sn, slot: 1 }));
    }, 50);
    const done = (outcome: string) => {
      clearInterval(probe);
      subscription.unsubscribe();
      resolve(outcome);
    };
    const subscription = node.subscribe(
      {},
      {
        onData: () => done('ok'),
        onError: (error: { data?: { code?: string } }) => done(error.data?.code ?? 'unknown'),
      },
    );
  });
}

function callTrpc(token: string, procedure: AdminProcedure): Promise<string> {
  const client = createApiClient({ url: 'http://api.test', fetch: api().fetch, token }) as unknown as Record<
    string,
    never
  >;
  const node = procedure.path.split('.').reduce<any>((at, key) => at[key], client);
  if (procedure.type === 'subscription') return callSubscription(node);
  const call = procedure.type === 'query' ? node.query({}) : node.mutate({});
  return call.then(
    () => 'ok',
    (error: { data?: { code?: string } }) => error.data?.code ?? 'unknown',
  );
}

describe('the admin role matrix (docs/admin.md), walked over every admin procedure', () => {
  it('docs/admin.md lists exactly the admin procedures, each with the roles its adminProcedure names', () => {
    const procedures = adminProcedures();
    expect(procedures.length).toBeGreaterThan(10);
    for (const p of procedures) {
      expect(p.path.startsWith('admin.') ? p.allowed.size : 1, `${p.path} names no roles`).toBeGreaterThan(0);
      expect(['query', 'mutation', 'subscription'], p.path).toContain(p.type);
    }
    const documented = documentedMatrix();
    expect([...documented.keys()].sort()).toEqual(procedures.map((p) => p.path).sort());
    for (const p of procedures)
      expect([...(documented.get(p.path) ?? [])].sort(), p.path).toEqual([...p.allowed].sort());
  });

  it('publishes every admin REST path in the OpenAPI document under the admin tag, with a bearer token', async () => {
    const document = (await api().rest('GET', '/api/openapi.json')).body;
    // Live streams (subscriptions) are tRPC's SSE only: REST has no such path.
    const restful = adminProcedures().filter((p) => p.path.startsWith('admin.') && p.type !== 'subscription');
    for (const procedure of restful) {
      expect(procedure.rest, `${procedure.path} has no REST path`).toBeDefined();
      const { method, path } = procedure.rest ?? { method: '', path: '' };
      const operation = document.paths[path]?.[method.toLowerCase()];
      expect(operation?.tags, `${method} ${path}`).toEqual(['admin']);
      expect(operation?.security).toEqual([{ bearerAuth: [] }]);
    }
  });

  it('each role is let into exactly its procedures, over tRPC and REST; a refusal is 403 and changes nothing', async () => {
    const callers = new Map<Caller, SignedUp>();
    for (const caller of CALLERS) {
      callers.set(caller, caller === 'customer' ? await signUp(api()) : await signUpAdmin(api(), caller));
    }
    const before = await fingerprint();
    const wrong: string[] = [];
    for (const procedure of adminProcedures()) {
      for (const [caller, user] of callers) {
        const allowed = procedure.allowed.has(caller);
        const trpc = await callTrpc(user.token, procedure);
        if ((trpc === 'FORBIDDEN') === allowed) wrong.push(`${caller} ${procedure.path} over tRPC: ${trpc}`);
        if (!procedure.rest) continue;
        const { method, path } = procedure.rest;
        const rest = await api().rest(
          method,
          `/api${fill(path)}`,
          method === 'GET' ? undefined : {},
          bearer(user.token),
        );
        if ((rest.status === 403) === allowed) wrong.push(`${caller} ${method} ${path}: ${rest.status}`);
      }
      // Whatever the answers, nothing was written: refused calls stop at the role guard, and the
      // allowed ones carried an empty input that no procedure accepts for a change.
      expect(await fingerprint(), procedure.path).toEqual(before);
    }
    expect(wrong).toEqual([]);
  });
});
