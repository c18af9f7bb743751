import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, AdminProfile, User } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();

const em = () => api().deps.orm.em.fork();
const suspend = (caller: SignedUp, target: SignedUp) =>
  api().rest(
    'POST',
    `/api/admin/users/${target.userId}/suspend`,
    { reason: 'rank test' },
    bearer(caller.token),
  );

/** Refused with 403 and nothing changed: the target is active, still signed in, and no action is logged. */
async function expectRefusedUnchanged(caller: SignedUp, target: SignedUp) {
  const res = await suspend(caller, target);
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error.code).toBe('FORBIDDEN');
  expect((await em().findOneOrFail(User, { id: target.userId })).status).toBe('active');
  expect((await api().rest('GET', '/api/auth/me', undefined, bearer(target.token))).status).toBe(200);
  expect(await em().count(AdminActionLog, { targetId: target.userId })).toBe(0);
}

describe('admin ranks: staff act only on users below their rank', () => {
  it('a lower role cannot suspend a higher one, nor an equal one (also across support and finance)', async () => {
    const root = await signUpAdmin(api(), 'super_admin');
    const ops = await signUpAdmin(api(), 'operations');
    const support = await signUpAdmin(api(), 'support');
    await expectRefusedUnchanged(support, root);
    expect((await suspend(support, root)).body.error.message).toBe(
      'staff act only on users below their rank: support cannot act on super_admin',
    );
    await expectRefusedUnchanged(ops, root);
    await expectRefusedUnchanged(support, ops);
    await expectRefusedUnchanged(support, await signUpAdmin(api(), 'support'));
    await expectRefusedUnchanged(support, await signUpAdmin(api(), 'finance'));
    await expectRefusedUnchanged(ops, await signUpAdmin(api(), 'operations'));
    await expectRefusedUnchanged(root, await signUpAdmin(api(), 'super_admin'));
    await expectRefusedUnchanged(support, support);
    expect((await suspend(root, root)).body.error.message).toBe('staff cannot act on their own account');
  });

  it('staff suspending each other at once: only the higher rank goes through', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 5 }, async () => ({
        ops: await signUpAdmin(api(), 'operations'),
        support: await signUpAdmin(api(), 'support'),
      })),
    );
    const answers = await Promise.all(
      pairs.flatMap(({ ops, support }) => [suspend(ops, support), suspend(support, ops)]),
    );
    // The lower one is refused by rank (403), or as signed out (401) when the suspension came first.
    expect(answers.map((a) => (a.status === 401 ? 403 : a.status))).toEqual(pairs.flatMap(() => [200, 403]));
    for (const { ops, support } of pairs) {
      expect((await em().findOneOrFail(User, { id: ops.userId })).status).toBe('active');
      expect((await em().findOneOrFail(User, { id: support.userId })).status).toBe('suspended');
    }
  });

  it('a dormant (inactive) staff account keeps its rank: it can be made active again', async () => {
    const dormant = await signUpAdmin(api(), 'super_admin');
    await em().nativeUpdate(AdminProfile, { user: dormant.userId }, { isActive: false });
    await expectRefusedUnchanged(await signUpAdmin(api(), 'operations'), dormant);
  });

  it('a higher role may suspend a lower one and a customer', async () => {
    const root = await signUpAdmin(api(), 'super_admin');
    const ops = await signUpAdmin(api(), 'operations');
    const support = await signUpAdmin(api(), 'support');
    expect((await suspend(ops, support)).status).toBe(200);
    expect((await suspend(root, ops)).status).toBe(200);
    expect((await suspend(await signUpAdmin(api(), 'support'), await signUp(api()))).status).toBe(200);
    expect((await em().findOneOrFail(User, { id: support.userId })).status).toBe('suspended');
    expect((await em().findOneOrFail(User, { id: ops.userId })).status).toBe('suspended');
  });

  it('a refusal names each allowed role once', async () => {
    const support = await signUpAdmin(api(), 'support');
    const client = createApiClient({ url: 'http://api.test', fetch: api().fetch, token: support.token });
    // approveRefund lists super_admin itself, which the guard also always allows.
    const refusal = await client.payment.approveRefund.mutate({ refund_id: crypto.randomUUID() }).then(
      () => ({ message: 'approved', data: undefined }),
      (error: { message: string; data?: { code?: string } }) => error,
    );
    expect(refusal.data?.code).toBe('FORBIDDEN');
    expect(refusal.message).toBe('needs an admin role: super_admin, finance');
  });
});
