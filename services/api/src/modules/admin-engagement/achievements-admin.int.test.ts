import { createApiClient } from '@powerbank/api-client';
import { Achievement, AdminActionLog } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();
let ops: SignedUp;
let support: SignedUp;
let user: SignedUp;

beforeAll(async () => {
  ops = await signUpAdmin(api(), 'operations');
  support = await signUpAdmin(api(), 'support');
  user = await signUp(api());
});

const em = () => api().deps.orm.em.fork();
const post = (path: string, body: unknown, who: SignedUp = ops) =>
  api().rest('POST', path, body, bearer(who.token));
const client = (who: SignedUp) =>
  createApiClient({ url: 'http://api.test', fetch: api().fetch, token: who.token });
const newCode = () => `ten_${crypto.randomUUID().slice(0, 8)}`;
const anAchievement = (code: string) => ({
  code,
  name: 'Ten rentals',
  description: 'Rent ten times',
  metric: 'rentals',
  threshold: 10,
  rewardPoints: 100,
});
const userSees = async (code: string) => {
  const res = await api().rest('GET', '/api/users/achievements', undefined, bearer(user.token));
  return (res.body.data.results as { code: string; name: string; threshold: number }[]).find(
    (a) => a.code === code,
  );
};
const logRows = (id: number) =>
  em().count(AdminActionLog, { targetType: 'achievement', targetId: String(id) });

describe('achievements management', () => {
  it('create, edit, deactivate: users see each change; each is logged', async () => {
    const code = newCode();
    const created = await post('/api/admin/achievements', anAchievement(code));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({ code, isActive: true, completedBy: 0, iconUrl: null });
    const id: number = created.body.data.id;
    expect(await userSees(code)).toMatchObject({ name: 'Ten rentals', threshold: 10 });

    const edited = await client(ops).admin.achievements.update.mutate({
      id,
      name: 'Five rentals',
      threshold: 5,
    });
    expect(edited).toMatchObject({
      name: 'Five rentals',
      threshold: 5,
      metric: 'rentals',
      rewardPoints: 100,
    });
    expect(await userSees(code)).toMatchObject({ name: 'Five rentals', threshold: 5 });

    const deactivated = await post(`/api/admin/achievements/${id}/deactivate`, { reason: 'season over' });
    expect(deactivated.body.data.isActive).toBe(false);
    expect(await userSees(code)).toBeUndefined();
    const twice = await post(`/api/admin/achievements/${id}/deactivate`, { reason: 'season over' });
    expect([twice.status, twice.body.error.code]).toEqual([422, 'BUSINESS_RULE']);

    const listed = await client(support).admin.achievements.list.query();
    expect(listed.results.find((a) => a.id === id)).toMatchObject({ isActive: false, name: 'Five rentals' });
    expect(await logRows(id)).toBe(3);
  });

  it('a taken code, an unknown metric, a bad threshold or a support caller is refused and changes nothing', async () => {
    const code = newCode();
    const first = await post('/api/admin/achievements', anAchievement(code));
    const taken = await post('/api/admin/achievements', anAchievement(code));
    expect([taken.status, taken.body.error.code]).toEqual([409, 'CONFLICT']);
    for (const bad of [{ metric: 'logins' }, { threshold: 0 }, { rewardPoints: -1 }]) {
      const res = await post('/api/admin/achievements', { ...anAchievement(newCode()), ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await post('/api/admin/achievements', anAchievement(newCode()), support)).status).toBe(403);
    const edit = await api().rest(
      'PATCH',
      `/api/admin/achievements/${first.body.data.id}`,
      { name: 'Mine' },
      bearer(support.token),
    );
    expect(edit.status).toBe(403);
    expect((await em().findOneOrFail(Achievement, { code })).name).toBe('Ten rentals');
    expect(await logRows(first.body.data.id)).toBe(1);
  });
});
