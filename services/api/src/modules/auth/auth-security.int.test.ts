import { createApiClient } from '@powerbank/api-client';
import {
  AdminActionLog,
  MediaUpload,
  OtpChallenge,
  PointsTransaction,
  Rental,
  User,
  UserAuditLog,
  UserDevice,
  UserPoints,
  UserProfile,
  UserSession,
  Wallet,
} from '@powerbank/db';
import { anyRow } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../../platform/session.ts';
import {
  aPhone,
  bearer,
  lastOtpCode,
  setAppConfig,
  signUp,
  signUpAdmin,
  TINY_PNG,
  testUploadDir,
  upload,
  verifyPhone,
} from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

let api: TestApi;
const UPLOAD_MAX_BYTES = 4096;
beforeAll(async () => {
  api = await createTestApi({
    env: { UPLOAD_DIR: testUploadDir(), UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) },
  });
  await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
});
afterAll(() => api.close());

const em = () => api.deps.orm.em.fork();

/** Every endpoint that needs a session, with a body it would otherwise accept. */
const AUTHED: [method: string, path: string, body?: unknown][] = [
  ['GET', '/api/auth/me'],
  ['POST', '/api/auth/logout', {}],
  ['POST', '/api/auth/refresh', {}],
  ['POST', '/api/auth/device', { deviceId: 'd1', platform: 'ios' }],
  ['PUT', '/api/auth/device', { deviceId: 'd1', platform: 'ios' }],
  ['DELETE', '/api/auth/account'],
  ['GET', '/api/user/profile'],
  ['PUT', '/api/user/profile', { firstName: 'A', lastName: 'B' }],
  ['PATCH', '/api/user/profile', { city: 'Rome' }],
  [
    'POST',
    '/api/auth/kyc',
    { documentType: 'passport', documentNumber: 'P123', frontImageId: crypto.randomUUID() },
  ],
  ['PATCH', '/api/auth/kyc', { documentNumber: 'P123' }],
  ['GET', '/api/auth/kyc-status'],
  ['POST', `/api/admin/users/${crypto.randomUUID()}/suspend`, { reason: 'test' }],
];

describe('sessions', () => {
  it('every authenticated endpoint refuses a missing, unknown, expired or revoked session with 401', async () => {
    const expired = await signUp(api);
    await em().nativeUpdate(
      UserSession,
      { id: sessionIdOf(expired.token) },
      { expiresAt: new Date(Date.now() - 1000) },
    );
    const revoked = await signUp(api);
    expect((await api.rest('POST', '/api/auth/logout', {}, bearer(revoked.token))).status).toBe(200);

    const cases: [string, Record<string, string>][] = [
      ['missing', {}],
      ['unknown', bearer('a'.repeat(32))],
      ['malformed', { authorization: 'Basic abc' }],
      ['expired', bearer(expired.token)],
      ['revoked', bearer(revoked.token)],
    ];
    for (const [kind, headers] of cases) {
      for (const [method, path, body] of AUTHED) {
        const res = await api.rest(method, path, body, headers);
        expect(res.status, `${kind} ${method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      }
      const uploadRes = await upload(api, headers.authorization?.slice(7), {
        bytes: TINY_PNG,
        type: 'image/png',
      });
      expect(uploadRes.status, `${kind} upload`).toBe(401);
      // And over tRPC.
      const client = createApiClient({
        url: 'http://api.test',
        fetch: api.fetch,
        token: headers.authorization?.slice(7),
      });
      await expect(client.auth.me.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
      await expect(client.profile.update.mutate({ city: 'Rome' })).rejects.toMatchObject({
        data: { code: 'UNAUTHORIZED' },
      });
    }
  });

  it('refresh rotates: the new token works, the old one is 401 at once', async () => {
    const user = await signUp(api);
    const refreshed = await api.rest('POST', '/api/auth/refresh', {}, bearer(user.token));
    expect(refreshed.status).toBe(200);
    const next = refreshed.body.data.token as string;
    expect(next).not.toBe(user.token);
    expect((await api.rest('GET', '/api/auth/me', undefined, bearer(user.token))).status).toBe(401);
    expect((await api.rest('GET', '/api/auth/me', undefined, bearer(next))).status).toBe(200);
    expect((await api.rest('POST', '/api/auth/refresh', {}, bearer(user.token))).status).toBe(401);
  });

  it('stores only the SHA-256 of the token and slides the expiry when less than 15 days are left', async () => {
    const user = await signUp(api);
    const id = sessionIdOf(user.token);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await em().count(UserSession, { id: user.token })).toBe(0);
    await em().nativeUpdate(UserSession, { id }, { expiresAt: new Date(Date.now() + 2 * 86_400_000) });
    expect((await api.rest('GET', '/api/auth/me', undefined, bearer(user.token))).status).toBe(200);
    const session = await em().findOneOrFail(UserSession, { id });
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });
});

describe('OTP', () => {
  it('locks the phone after 5 wrong codes: even the right code and a new code are refused', async () => {
    const phone = aPhone();
    await api.rest('POST', '/api/auth/get-otp', { phone });
    const code = lastOtpCode(api, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i += 1) {
      const res = await api.rest('POST', '/api/auth/verify-otp', { phone, code: wrong });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'OTP_INVALID', details: { attemptsLeft: 5 - i } });
    }
    const fifth = await api.rest('POST', '/api/auth/verify-otp', { phone, code: wrong });
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('OTP_LOCKED');
    expect(fifth.body.error.details.retryAfterS).toBeGreaterThan(14 * 60);
    expect((await api.rest('POST', '/api/auth/verify-otp', { phone, code })).status).toBe(429);
    expect((await api.rest('POST', '/api/auth/get-otp', { phone })).status).toBe(429);
  });

  it('stores codes hashed, never sends a second code within 60 s, and refuses a reused code', async () => {
    const phone = aPhone();
    await api.rest('POST', '/api/auth/get-otp', { phone });
    const code = lastOtpCode(api, phone);
    const row = await em().findOneOrFail(OtpChallenge, { phone });
    expect(row.codeHash).not.toContain(code);
    const again = await api.rest('POST', '/api/auth/get-otp', { phone });
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('RATE_LIMITED');
    expect((await api.rest('POST', '/api/auth/verify-otp', { phone, code })).status).toBe(200);
    expect((await api.rest('POST', '/api/auth/verify-otp', { phone, code })).status).toBe(400);
  });

  it('an expired code is refused', async () => {
    const phone = aPhone();
    await api.rest('POST', '/api/auth/get-otp', { phone });
    await em().nativeUpdate(OtpChallenge, { phone }, { expiresAt: new Date(Date.now() - 1000) });
    const res = await api.rest('POST', '/api/auth/verify-otp', {
      phone,
      code: lastOtpCode(api, phone),
    });
    expect(res.status).toBe(400);
  });

  it('limits codes per phone and per client address', async () => {
    const phone = aPhone();
    await setAppConfig(api, { otp_resend_seconds: 0, otp_sends_per_phone_hour: 2 });
    try {
      expect((await api.rest('POST', '/api/auth/get-otp', { phone })).status).toBe(200);
      expect((await api.rest('POST', '/api/auth/get-otp', { phone })).status).toBe(200);
      expect((await api.rest('POST', '/api/auth/get-otp', { phone })).status).toBe(429);
      await setAppConfig(api, { otp_sends_per_ip_hour: 1 });
      expect((await api.rest('POST', '/api/auth/get-otp', { phone: aPhone() })).status).toBe(429);
    } finally {
      await setAppConfig(api, {
        otp_resend_seconds: 60,
        otp_sends_per_phone_hour: 5,
        otp_sends_per_ip_hour: 10_000,
      });
    }
  });
});

describe('registration', () => {
  it('is atomic: a failure late in the transaction leaves no user, profile, wallet or points, and the verification stays usable', async () => {
    const inviter = await signUp(api);
    const phone = aPhone();
    const verificationToken = await verifyPhone(api, phone);
    const counts = async () => [
      await em().count(User, {}),
      await em().count(UserProfile, {}),
      await em().count(Wallet, {}),
      await em().count(UserPoints, {}),
      await em().count(PointsTransaction, {}),
    ];
    const before = await counts();
    const conn = em().getConnection();
    // The referral row is the last insert of registration: make Postgres refuse it.
    await conn.execute(
      `create function test_refuse_referral() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`,
    );
    await conn.execute(
      `create trigger test_refuse_referral before insert on referral for each row execute function test_refuse_referral()`,
    );
    try {
      const res = await api.rest('POST', '/api/auth/register', {
        phone,
        verificationToken,
        referralCode: inviter.referralCode,
      });
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('INTERNAL');
    } finally {
      await conn.execute('drop trigger test_refuse_referral on referral');
      await conn.execute('drop function test_refuse_referral()');
    }
    expect(await counts()).toEqual(before);
    expect(await em().count(User, { phone })).toBe(0);
    const retry = await api.rest('POST', '/api/auth/register', {
      phone,
      verificationToken,
      referralCode: inviter.referralCode,
    });
    expect(retry.status).toBe(200);
  });

  it('refuses a phone that already has an account, and a taken email, with 409', async () => {
    const user = await signUp(api, { email: 'taken@example.com' });
    const again = await api.rest('POST', '/api/auth/register', {
      phone: user.phone,
      verificationToken: await verifyPhone(api, user.phone),
    });
    expect(again.status).toBe(409);
    const phone = aPhone();
    const email = await api.rest('POST', '/api/auth/register', {
      phone,
      verificationToken: await verifyPhone(api, phone),
      email: 'taken@example.com',
    });
    expect(email.status).toBe(409);
    expect(await em().count(User, { phone })).toBe(0);
  });
});

describe('one user never reaches another user’s data', () => {
  it('profile, devices, KYC documents and uploads are the caller’s own', async () => {
    const alice = await signUp(api, {
      device: { deviceId: 'alice-phone', platform: 'ios', pushToken: 'alice-push' },
    });
    const bob = await signUp(api);
    await api.rest('PATCH', '/api/user/profile', { city: 'Lisbon' }, bearer(alice.token));
    const bobProfile = await api.rest('GET', '/api/user/profile', undefined, bearer(bob.token));
    expect(bobProfile.body.data.city).toBeNull();

    // Bob cannot update Alice's device by naming its id: it is not his.
    const put = await api.rest(
      'PUT',
      '/api/auth/device',
      { deviceId: 'alice-phone', platform: 'ios', pushToken: 'bob' },
      bearer(bob.token),
    );
    expect(put.status).toBe(404);
    const device = await em().findOneOrFail(UserDevice, { deviceId: 'alice-phone' });
    expect(device.pushToken).toBe('alice-push');

    // Bob cannot attach Alice's upload to his KYC.
    const aliceUpload = await upload(api, alice.token, { bytes: TINY_PNG, type: 'image/png' });
    expect(aliceUpload.status).toBe(201);
    const kyc = await api.rest(
      'POST',
      '/api/auth/kyc',
      { documentType: 'passport', documentNumber: 'P999', frontImageId: aliceUpload.body.data.id },
      bearer(bob.token),
    );
    expect(kyc.status).toBe(403);
    const own = await api.rest(
      'POST',
      '/api/auth/kyc',
      { documentType: 'passport', documentNumber: 'P999', frontImageId: aliceUpload.body.data.id },
      bearer(alice.token),
    );
    expect(own.status).toBe(200);
    expect(
      (await api.rest('GET', '/api/auth/kyc-status', undefined, bearer(bob.token))).body.data.status,
    ).toBe('not_submitted');
    // A PATCH by Bob changes nothing of Alice's.
    expect(
      (await api.rest('PATCH', '/api/auth/kyc', { documentNumber: 'X123' }, bearer(bob.token))).status,
    ).toBe(404);
  });
});

describe('profile', () => {
  it('gives 20 points once when the profile becomes complete, and audits every change', async () => {
    const user = await signUp(api);
    const full = {
      firstName: 'Ada',
      lastName: 'King',
      email: 'ada@example.com',
      dateOfBirth: '1815-12-10',
      gender: 'female',
      city: 'London',
    };
    const put = await api.rest('PUT', '/api/user/profile', full, bearer(user.token));
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ completed: true, city: 'London', email: 'ada@example.com' });
    await api.rest('PATCH', '/api/user/profile', { city: null }, bearer(user.token));
    await api.rest('PATCH', '/api/user/profile', { city: 'Paris' }, bearer(user.token));
    const bonuses = await em().find(PointsTransaction, { user: user.userId, type: 'profile_bonus' });
    expect(bonuses.map((b) => b.points)).toEqual([20]);
    expect((await em().findOneOrFail(UserPoints, { user: user.userId })).balance).toBe(70);
    expect(await em().count(UserAuditLog, { user: user.userId, eventType: { $like: 'profile.%' } })).toBe(3);
  });

  it('refuses bad input with 400 and field paths, never 500', async () => {
    const user = await signUp(api);
    for (const body of [
      { dateOfBirth: 'yesterday' },
      { gender: 'robot' },
      { unknown: 1 },
      { firstName: 'x'.repeat(500) },
    ]) {
      const res = await api.rest('PATCH', '/api/user/profile', body, bearer(user.token));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('account deletion', () => {
  const openRental = async (userId: string, overrides: Record<string, unknown>) => {
    const e = em();
    anyRow(e, Rental, { user: e.getReference(User, userId), powerBank: null, ...overrides });
    await e.flush();
  };

  it('is refused with 422 while a rental is open or a due is unpaid', async () => {
    const renting = await signUp(api);
    await openRental(renting.userId, { status: 'active', dueAmount: 0 });
    const res = await api.rest('DELETE', '/api/auth/account', undefined, bearer(renting.token));
    expect(res.status).toBe(422);
    expect(res.body.error.details.reason).toBe('open_rental');

    const owing = await signUp(api);
    await openRental(owing.userId, { status: 'returned', dueAmount: 500 });
    const due = await api.rest('DELETE', '/api/auth/account', undefined, bearer(owing.token));
    expect(due.status).toBe(422);
    expect(due.body.error.details.reason).toBe('unpaid_due');
  });

  it('revokes every session, anonymises personal data and keeps the ledger', async () => {
    const user = await signUp(api, { fullName: 'Gone Soon', email: 'gone@example.com' });
    const other = await api.rest('POST', '/api/auth/login', {
      phone: user.phone,
      verificationToken: await verifyPhone(api, user.phone),
    });
    await api.rest('PATCH', '/api/user/profile', { city: 'Oslo' }, bearer(user.token));
    const res = await api.rest('DELETE', '/api/auth/account', undefined, bearer(user.token));
    expect(res.status).toBe(200);
    expect((await api.rest('GET', '/api/auth/me', undefined, bearer(other.body.data.token))).status).toBe(
      401,
    );
    const row = await em().findOneOrFail(User, { id: user.userId });
    expect(row).toMatchObject({ phone: null, email: null, fullName: null, status: 'deleted' });
    const profile = await em().findOneOrFail(UserProfile, { user: user.userId });
    expect(profile).toMatchObject({ firstName: null, lastName: null, city: null });
    expect(await em().count(PointsTransaction, { user: user.userId })).toBe(1);
    expect(await em().count(Wallet, { user: user.userId })).toBe(1);
    // The phone is free again for a new account.
    expect((await verifyPhone(api, user.phone)) && true).toBe(true);
  });
});

describe('uploads', () => {
  it('stores an accepted file and refuses too large (413), wrong type or lying content (415), no file (400) — never 500', async () => {
    const user = await signUp(api);
    const ok = await upload(api, user.token, { bytes: TINY_PNG, type: 'image/png', name: 'id.png' });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({
      mimeType: 'image/png',
      sizeBytes: TINY_PNG.byteLength,
      purpose: 'kyc',
    });
    const stored = await em().findOneOrFail(MediaUpload, { id: ok.body.data.id });
    expect(stored.storageKey).toMatch(/^kyc\/.+\.png$/);

    const big = new Uint8Array(UPLOAD_MAX_BYTES + 1);
    big.set(TINY_PNG);
    expect((await upload(api, user.token, { bytes: big, type: 'image/png' })).status).toBe(413);
    const huge = new Uint8Array(UPLOAD_MAX_BYTES + 200 * 1024);
    expect((await upload(api, user.token, { bytes: huge, type: 'image/png' })).status).toBe(413);
    expect(
      (await upload(api, user.token, { bytes: new TextEncoder().encode('hello'), type: 'text/plain' }))
        .status,
    ).toBe(415);
    expect(
      (await upload(api, user.token, { bytes: new TextEncoder().encode('not a png'), type: 'image/png' }))
        .status,
    ).toBe(415);
    expect((await upload(api, user.token, { bytes: TINY_PNG, type: 'image/png' }, 'nonsense')).status).toBe(
      400,
    );

    const json = await api.rest('POST', '/api/app/upload', { file: 'x' }, bearer(user.token));
    expect(json.status).toBe(415);
    const empty = await api.app.fetch(
      new Request('http://api.test/api/app/upload', {
        method: 'POST',
        body: new FormData(),
        headers: bearer(user.token),
      }),
    );
    expect(empty.status).toBe(400);
  });
});

describe('uploads over tRPC (the typed client sends FormData as multipart)', () => {
  const form = (bytes: Uint8Array, type: string, purpose = 'kyc') => {
    const data = new FormData();
    data.set('file', new File([bytes], 'doc.png', { type }));
    data.set('purpose', purpose);
    return data;
  };

  it('stores the file as the REST path does, with the same refusals as tRPC codes', async () => {
    const user = await signUp(api);
    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: user.token });
    const stored = await client.app.upload.mutate(form(TINY_PNG, 'image/png'));
    expect(stored).toMatchObject({ mimeType: 'image/png', sizeBytes: TINY_PNG.byteLength, purpose: 'kyc' });
    expect(stored.createdAt).toBeInstanceOf(Date);
    const row = await em().findOneOrFail(MediaUpload, { id: stored.id });
    expect(row.user?.id).toBe(user.userId);
    // Usable where REST uploads are: a KYC submission over REST refers to it.
    const kyc = await api.rest(
      'POST',
      '/api/auth/kyc',
      { documentType: 'passport', documentNumber: 'P1234567', frontImageId: stored.id },
      bearer(user.token),
    );
    expect(kyc.status, JSON.stringify(kyc.body)).toBeLessThan(300);

    const refusal = (data: FormData) =>
      client.app.upload.mutate(data).then(
        () => 'stored',
        (error: { data?: { code?: string; httpStatus?: number } }) =>
          `${error.data?.httpStatus} ${error.data?.code}`,
      );
    const big = new Uint8Array(UPLOAD_MAX_BYTES + 1);
    big.set(TINY_PNG);
    expect(await refusal(form(big, 'image/png'))).toBe('413 PAYLOAD_TOO_LARGE');
    expect(await refusal(form(new Uint8Array(UPLOAD_MAX_BYTES + 200 * 1024), 'image/png'))).toBe(
      '413 PAYLOAD_TOO_LARGE',
    );
    expect(await refusal(form(new TextEncoder().encode('not a png'), 'image/png'))).toBe(
      '415 UNSUPPORTED_MEDIA_TYPE',
    );
    expect(await refusal(form(TINY_PNG, 'image/png', 'nonsense'))).toBe('400 BAD_REQUEST');
    expect(await refusal(new FormData())).toBe('400 BAD_REQUEST');
    const anonymous = createApiClient({ url: 'http://api.test', fetch: api.fetch });
    expect(
      await anonymous.app.upload
        .mutate(form(TINY_PNG, 'image/png'))
        .catch((e: { data?: { code?: string } }) => e.data?.code),
    ).toBe('UNAUTHORIZED');
  });
});

describe('admin identity', () => {
  it('staff log in like users and see their role in me', async () => {
    const admin = await signUpAdmin(api, 'finance');
    const login = await api.rest('POST', '/api/auth/login', {
      phone: admin.phone,
      verificationToken: await verifyPhone(api, admin.phone),
    });
    expect(login.body.data.user.admin).toEqual({ role: 'finance', displayName: 'Test finance' });
  });

  it('role guards: 401 without session, 403 for users and wrong roles; a suspension is logged in the same transaction', async () => {
    const target = await signUp(api);
    const path = `/api/admin/users/${target.userId}/suspend`;
    const plain = await signUp(api);
    expect((await api.rest('POST', path, { reason: 'spam' }, bearer(plain.token))).status).toBe(403);
    const finance = await signUpAdmin(api, 'finance');
    const refused = await api.rest('POST', path, { reason: 'spam' }, bearer(finance.token));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(await em().count(AdminActionLog, { targetId: target.userId })).toBe(0);

    const support = await signUpAdmin(api, 'support');
    const done = await api.rest('POST', path, { reason: 'spam' }, bearer(support.token));
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({ userId: target.userId, status: 'suspended' });
    const log = await em().findOneOrFail(
      AdminActionLog,
      { targetId: target.userId },
      { populate: ['admin'] },
    );
    expect(log).toMatchObject({ action: 'user.suspend', targetType: 'user', before: { status: 'active' } });
    // The suspended user's session stops working and they cannot sign in again.
    expect((await api.rest('GET', '/api/auth/me', undefined, bearer(target.token))).status).toBe(401);
    const login = await api.rest('POST', '/api/auth/login', {
      phone: target.phone,
      verificationToken: await verifyPhone(api, target.phone),
    });
    expect(login.status).toBe(403);
    // super_admin may call every admin procedure; unknown targets are 404 and log nothing.
    const root = await signUpAdmin(api, 'super_admin');
    const missing = await api.rest(
      'POST',
      `/api/admin/users/${crypto.randomUUID()}/suspend`,
      { reason: 'x'.repeat(5) },
      bearer(root.token),
    );
    expect(missing.status).toBe(404);
  });
});
