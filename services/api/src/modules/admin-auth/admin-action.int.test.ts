import { AdminActionLog, AdminProfile, User } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { bearer, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from './admin-action.ts';
import { lockUserBelow } from './admin-rank.ts';

const api = useTestApi();
const em = () => api().deps.orm.em.fork();

describe('AdminActionLog is written in the same transaction as the change', () => {
  it('a change whose log row cannot be written is taken back with it', async () => {
    const root = await signUpAdmin(api(), 'super_admin');
    const target = await signUp(api());
    const profile = await em().findOneOrFail(AdminProfile, { user: root.userId });
    const ctx = {
      em: em(),
      client: { ip: '127.0.0.1', userAgent: null },
      admin: { id: profile.id, role: 'super_admin' },
    } as unknown as Context & { admin: AdminCaller };
    const attempt = adminMutation(ctx, 'user.suspend', async (tx) => {
      const user = await lockUserBelow(tx, ctx.admin, target.userId);
      user.status = 'suspended';
      await tx.flush(); // the change is written first, the log row after it
      // A target type longer than its column: the log row's insert fails.
      return { result: null, targetType: 'x'.repeat(41), targetId: user.id, reason: 'test' };
    });
    await expect(attempt).rejects.toThrow();
    expect((await em().findOneOrFail(User, { id: target.userId })).status).toBe('active');
    expect(await em().count(AdminActionLog, { targetId: target.userId })).toBe(0);
  });

  it('a mutation that fails leaves no log row (a debit beyond the balance) and one that succeeds leaves one with its reason', async () => {
    const finance = await signUpAdmin(api(), 'finance');
    const target = await signUp(api());
    const adjust = (direction: string, amount: number) =>
      api().rest(
        'POST',
        `/api/admin/users/${target.userId}/wallet`,
        { direction, amount, reason: 'goodwill', idempotencyKey: crypto.randomUUID() },
        bearer(finance.token),
      );
    const refused = await adjust('debit', 1);
    expect(refused.status, JSON.stringify(refused.body)).toBe(402);
    expect(refused.body.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(await em().count(AdminActionLog, { targetId: target.userId })).toBe(0);

    expect((await adjust('credit', 500)).status).toBe(200);
    const [row] = await em().find(AdminActionLog, { targetId: target.userId });
    expect(row).toMatchObject({ action: 'user.wallet_credit', targetType: 'user', reason: 'goodwill' });
    expect(row?.after).toMatchObject({ wallet: 500, delta: 500 });
  });
});
