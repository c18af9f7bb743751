import { createApiClient } from '@powerbank/api-client';
import { Referral, Rental, User } from '@powerbank/db';
import { anyRow } from '@powerbank/testing';
import { describe, expect, it } from 'vitest';
import { aPhone, bearer, type SignedUp, signUp, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();

const claim = (user: SignedUp, code: string) =>
  api().rest('POST', '/api/referral/claim', { code }, bearer(user.token));
const client = (user?: SignedUp) =>
  createApiClient({ url: 'http://api.test', fetch: api().fetch, token: user?.token });
const referralsOf = (inviteeId: string) => api().deps.orm.em.fork().find(Referral, { invitee: inviteeId });
const sql = (text: string, params: unknown[] = []) =>
  api().deps.orm.em.fork().getConnection().execute(text, params);
const device = (user: SignedUp, deviceId: string) =>
  api().rest('POST', '/api/auth/device', { deviceId, platform: 'android' }, bearer(user.token));

describe('referral codes', () => {
  it('my-code answers the caller’s code with friends invited, rewarded and points earned (REST and tRPC)', async () => {
    const inviter = await signUp(api());
    await signUp(api(), { referralCode: inviter.referralCode });
    const rest = await api().rest('GET', '/api/referral/my-code', undefined, bearer(inviter.token));
    expect(rest.status).toBe(200);
    expect(rest.body.data).toEqual({
      code: inviter.referralCode,
      invited: 1,
      rewarded: 0,
      points_earned: 0,
      inviter_points: 100,
      invitee_points: 50,
    });
    expect(await client(inviter).referral.myCode.query({})).toEqual(rest.body.data);
    expect((await api().rest('GET', '/api/referral/my-code')).status).toBe(401);
  });

  it('validate is public and case-insensitive; an unknown code or a suspended or deleted user’s is not valid', async () => {
    const owner = await signUp(api());
    const rest = await api().rest('GET', `/api/referral/validate?code=${owner.referralCode.toLowerCase()}`);
    expect(rest.status).toBe(200);
    expect(rest.body.data).toEqual({ code: owner.referralCode, valid: true, invitee_points: 50 });
    expect(await client().referral.validate.query({ code: owner.referralCode })).toMatchObject({
      valid: true,
    });
    expect((await api().rest('GET', '/api/referral/validate?code=NOPE2345')).body.data.valid).toBe(false);
    await sql(`update users set status = 'suspended' where id = ?`, [owner.userId]);
    expect(await client().referral.validate.query({ code: owner.referralCode })).toMatchObject({
      valid: false,
    });
    await sql(`update users set status = 'deleted' where id = ?`, [owner.userId]);
    expect(await client().referral.validate.query({ code: owner.referralCode })).toMatchObject({
      valid: false,
    });
    const bad = await api().rest('GET', '/api/referral/validate?code=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('referral claims', () => {
  it('a claim links the caller to the code’s owner as a pending referral (REST, any case)', async () => {
    const inviter = await signUp(api());
    const invitee = await signUp(api());
    const res = await claim(invitee, inviter.referralCode.toLowerCase());
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      code: inviter.referralCode,
      status: 'pending',
      invitee_points: 50,
    });
    const [stored] = await referralsOf(invitee.userId);
    expect(stored).toMatchObject({
      id: res.body.data.referral_id,
      status: 'pending',
      code: inviter.referralCode,
    });
    expect(stored?.inviter.id).toBe(inviter.userId);
  });

  it('a claim over tRPC; a second claim, of another code too, is refused (one referrer)', async () => {
    const [inviter, other, invitee] = await Promise.all([signUp(api()), signUp(api()), signUp(api())]);
    await expect(
      client(invitee).referral.claim.mutate({ code: inviter.referralCode }),
    ).resolves.toMatchObject({
      status: 'pending',
    });
    await expect(client(invitee).referral.claim.mutate({ code: other.referralCode })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    const again = await claim(invitee, inviter.referralCode);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual({ reason: 'already_referred' });
    expect(await referralsOf(invitee.userId)).toHaveLength(1);
  });

  it('refuses a claim by a user who signed up with a code', async () => {
    const [first, second] = await Promise.all([signUp(api()), signUp(api())]);
    const invitee = await signUp(api(), { referralCode: first.referralCode });
    expect((await claim(invitee, second.referralCode)).status).toBe(409);
    expect((await referralsOf(invitee.userId))[0]?.inviter.id).toBe(first.userId);
  });

  it('refuses self-referral', async () => {
    const user = await signUp(api());
    const res = await claim(user, user.referralCode);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual({ reason: 'self_referral' });
    await expect(client(user).referral.claim.mutate({ code: user.referralCode })).rejects.toMatchObject({
      data: { code: 'UNPROCESSABLE_CONTENT' },
    });
    expect(await referralsOf(user.userId)).toHaveLength(0);
  });

  it('refuses a ring: B claimed A’s code, so A cannot claim B’s — nor C’s when C was invited by B', async () => {
    const [a, b, c] = await Promise.all([signUp(api()), signUp(api()), signUp(api())]);
    expect((await claim(b, a.referralCode)).status).toBe(200);
    const ring = await claim(a, b.referralCode);
    expect(ring.status).toBe(422);
    expect(ring.body.error.details).toEqual({ reason: 'referral_ring' });
    expect((await claim(c, b.referralCode)).status).toBe(200);
    expect((await claim(a, c.referralCode)).body.error.details).toEqual({ reason: 'referral_ring' });
    expect(await referralsOf(a.userId)).toHaveLength(0);
  });

  it('two users claiming each other’s code at the same moment: one referral, no ring', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([signUp(api()), signUp(api())]);
      const answers = await Promise.all([claim(a, b.referralCode), claim(b, a.referralCode)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 422]);
      const rows = [...(await referralsOf(a.userId)), ...(await referralsOf(b.userId))];
      expect(rows).toHaveLength(1);
    }
  });

  it('refuses a claim from an account sharing a device with the code’s owner', async () => {
    const [inviter, invitee] = await Promise.all([signUp(api()), signUp(api())]);
    const shared = `device-${crypto.randomUUID()}`;
    expect((await device(inviter, shared)).status).toBe(200);
    expect((await device(invitee, shared)).status).toBe(200);
    const res = await claim(invitee, inviter.referralCode);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual({ reason: 'shared_device' });
    expect(await referralsOf(invitee.userId)).toHaveLength(0);
  });

  it('refuses a sign-up with a code from a device registered to the code’s owner, creating nothing', async () => {
    const shared = { deviceId: `device-${crypto.randomUUID()}`, platform: 'ios' };
    const inviter = await signUp(api(), { device: shared });
    const phone = aPhone();
    const refused = await signUp(api(), { phone, device: shared, referralCode: inviter.referralCode }).catch(
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/^register 422: .*shared_device/);
    expect(await api().deps.orm.em.fork().count(User, { phone })).toBe(0);
    const elsewhere = await signUp(api(), {
      device: { ...shared, deviceId: `other-${shared.deviceId}` },
      referralCode: inviter.referralCode,
    });
    expect((await referralsOf(elsewhere.userId))[0]?.inviter.id).toBe(inviter.userId);
  });

  it('refuses the code of a suspended or deleted user, and an unknown code', async () => {
    const [suspended, deleted, invitee] = await Promise.all([signUp(api()), signUp(api()), signUp(api())]);
    await sql(`update users set status = 'suspended' where id = ?`, [suspended.userId]);
    await sql(`update users set status = 'deleted' where id = ?`, [deleted.userId]);
    for (const code of [suspended.referralCode, deleted.referralCode, 'NOPE2345']) {
      const res = await claim(invitee, code);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await referralsOf(invitee.userId)).toHaveLength(0);
  });

  it('refuses a claim more than 30 days after sign-up, or after a completed rental', async () => {
    const [inviter, late, rented] = await Promise.all([signUp(api()), signUp(api()), signUp(api())]);
    await sql(`update users set created_at = now() - interval '31 days' where id = ?`, [late.userId]);
    expect((await claim(late, inviter.referralCode)).body.error.details).toEqual({
      reason: 'claim_window_closed',
    });
    const inTime = await signUp(api());
    await sql(`update users set created_at = now() - interval '29 days' where id = ?`, [inTime.userId]);
    expect((await claim(inTime, inviter.referralCode)).status).toBe(200);
    const em = api().deps.orm.em.fork();
    anyRow(em, Rental, { user: rented.userId, status: 'settled', dueAmount: 0 });
    await em.flush();
    expect((await claim(rented, inviter.referralCode)).body.error.details).toEqual({
      reason: 'already_rented',
    });
  });

  it('20 concurrent claims by one user make one referral; the rest are refused, none is a 500', async () => {
    const inviters = await Promise.all(Array.from({ length: 4 }, () => signUp(api())));
    const invitee = await signUp(api());
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claim(invitee, inviters[i % 4]?.referralCode ?? '')),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await referralsOf(invitee.userId)).toHaveLength(1);
  });

  it('many users claiming one code at once all succeed', async () => {
    const inviter = await signUp(api());
    const invitees = await Promise.all(Array.from({ length: 10 }, () => signUp(api())));
    const answers = await Promise.all(invitees.map((u) => claim(u, inviter.referralCode)));
    expect(answers.map((r) => r.status)).toEqual(invitees.map(() => 200));
    const mine = await client(inviter).referral.myCode.query({});
    expect(mine.invited).toBe(10);
  });
});

describe('referral documentation', () => {
  it('the OpenAPI document describes the three referral paths', async () => {
    const doc = await api().rest('GET', '/api/openapi.json');
    expect(doc.body.paths['/referral/my-code']).toHaveProperty('get');
    expect(doc.body.paths['/referral/validate'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'code',
    ]);
    expect(doc.body.paths['/referral/claim']).toHaveProperty('post');
  });
});
