import { createApiClient } from '@powerbank/api-client';
import { UserSession } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { sessionIdOf } from '../../platform/session.ts';
import { bearer, signUp, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();

const em = () => api().deps.orm.em.fork();
const liveSessions = (userId: string) => em().find(UserSession, { user: userId, revokedAt: null });
const CONCURRENT = 20;

/** Whichever transport made the calls: one rotation won, every other call was refused as unauthenticated. */
async function expectOneRotation(userId: string, oldToken: string, tokens: string[], refused: string[]) {
  expect(tokens).toHaveLength(1);
  expect(refused).toEqual(Array(CONCURRENT - 1).fill('UNAUTHENTICATED'));
  const live = await liveSessions(userId);
  expect(live.map((s) => s.id)).toEqual([sessionIdOf(tokens[0] as string)]);
  expect((await api().rest('GET', '/api/auth/me', undefined, bearer(oldToken))).status).toBe(401);
  expect((await api().rest('GET', '/api/auth/me', undefined, bearer(tokens[0] as string))).status).toBe(200);
}

describe('auth/refresh with one token, concurrently', () => {
  it(`REST: of ${CONCURRENT} refreshes exactly one gets a new session, the rest 401, the old token is dead`, async () => {
    const user = await signUp(api());
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, () =>
        api().rest('POST', '/api/auth/refresh', {}, bearer(user.token)),
      ),
    );
    const tokens = answers.filter((a) => a.status === 200).map((a) => a.body.data.token as string);
    const refused = answers
      .filter((a) => a.status !== 200)
      .map((a) => (a.status === 401 ? a.body.error.code : `${a.status} ${a.body.error?.code}`));
    await expectOneRotation(user.userId, user.token, tokens, refused);
  });

  it(`tRPC: of ${CONCURRENT} refreshes exactly one gets a new session, the rest UNAUTHORIZED`, async () => {
    const user = await signUp(api());
    const client = createApiClient({ url: 'http://api.test', fetch: api().fetch, token: user.token });
    const outcomes = await Promise.allSettled(
      Array.from({ length: CONCURRENT }, () => client.auth.refresh.mutate({})),
    );
    const tokens = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.token] : []));
    const refused = outcomes.flatMap((o) =>
      o.status === 'rejected'
        ? [o.reason.data?.code === 'UNAUTHORIZED' ? 'UNAUTHENTICATED' : String(o.reason.data?.code)]
        : [],
    );
    await expectOneRotation(user.userId, user.token, tokens, refused);
  });

  it('many users refreshing at once: each ends with exactly one live session, their own', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => signUp(api())));
    const answers = await Promise.all(
      users.flatMap((user) =>
        Array.from({ length: 4 }, async () => ({
          user,
          res: await api().rest('POST', '/api/auth/refresh', {}, bearer(user.token)),
        })),
      ),
    );
    for (const user of users) {
      const own = answers.filter((a) => a.user === user);
      const won = own.filter((a) => a.res.status === 200);
      expect(won).toHaveLength(1);
      expect(own.filter((a) => a.res.status === 401)).toHaveLength(3);
      const live = await liveSessions(user.userId);
      expect(live.map((s) => s.id)).toEqual([sessionIdOf(won[0]?.res.body.data.token)]);
    }
  });
});
