import { PointsTransaction, Referral, UserAuditLog, UserPoints, UserProfile, Wallet } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aPhone,
  bearer,
  lastOtpCode,
  setAppConfig,
  signUp,
  verifyPhone,
} from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  // In-process calls share one client IP; the per-IP limit has its own test.
  await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
});
afterAll(() => api.close());

describe('OTP sign-up and sign-in', () => {
  it('registers a verified phone with profile, wallet, points, a signup-bonus ledger row and an audit row', async () => {
    const user = await signUp(api, { fullName: 'Ada Lovelace' });
    const em = api.deps.orm.em.fork();
    expect(await em.count(UserProfile, { user: user.userId })).toBe(1);
    expect(await em.count(Wallet, { user: user.userId })).toBe(1);
    const points = await em.findOneOrFail(UserPoints, { user: user.userId });
    expect(points.balance).toBe(50);
    const ledger = await em.find(PointsTransaction, { user: user.userId });
    expect(ledger.map((row) => [row.type, row.points, row.balanceAfter])).toEqual([['signup_bonus', 50, 50]]);
    expect(await em.count(UserAuditLog, { user: user.userId, eventType: 'auth.register' })).toBe(1);
    expect(user.referralCode).toMatch(/^[A-Z2-9]{8}$/);

    const me = await api.rest('GET', '/api/auth/me', undefined, bearer(user.token));
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({
      id: user.userId,
      phone: user.phone,
      fullName: 'Ada Lovelace',
      admin: null,
    });
  });

  it('links a referral code as a pending referral', async () => {
    const inviter = await signUp(api);
    const invitee = await signUp(api, { referralCode: inviter.referralCode.toLowerCase() });
    const referral = await api.deps.orm.em.fork().findOneOrFail(Referral, { invitee: invitee.userId });
    expect(referral).toMatchObject({ status: 'pending', code: inviter.referralCode });
    const bad = await api.rest('POST', '/api/auth/register', {
      phone: aPhone(),
      verificationToken: 'x'.repeat(32),
      referralCode: 'NOPE2345',
    });
    expect(bad.status).toBe(400);
  });

  it('logs in an existing phone; the verification token is single-use', async () => {
    const user = await signUp(api);
    const verificationToken = await verifyPhone(api, user.phone);
    const login = await api.rest('POST', '/api/auth/login', { phone: user.phone, verificationToken });
    expect(login.status).toBe(200);
    expect(login.body.data.user.id).toBe(user.userId);
    const again = await api.rest('POST', '/api/auth/login', { phone: user.phone, verificationToken });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('OTP_INVALID');
  });

  it('verify-otp tells whether the phone is registered', async () => {
    const phone = aPhone();
    await api.rest('POST', '/api/auth/get-otp', { phone });
    const res = await api.rest('POST', '/api/auth/verify-otp', {
      phone,
      code: lastOtpCode(api, phone),
    });
    expect(res.body.data.registered).toBe(false);
  });
});
