import { type ApiClient, createApiClient } from '@powerbank/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Values that differ between two runs of the same call (fresh ids, tokens, times). */
const VOLATILE = new Set([
  'id',
  'userId',
  'token',
  'verificationToken',
  'flowToken',
  'state',
  'url',
  'phone',
  'referralCode',
  'expiresAt',
  'createdAt',
  'lastSeenAt',
  'completedAt',
  'submittedAt',
]);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !VOLATILE.has(key))
        .map(([key, v]) => [key, stable(v)]),
    );
  }
  return value;
}

interface Setup {
  token?: string;
  [key: string]: unknown;
}

interface Row {
  name: string;
  /** Makes the state one call needs; run once per transport so mutations never see each other's effects. */
  setup: () => Promise<Setup>;
  rest: (s: Setup) => [method: string, path: string, body?: unknown];
  trpc: (client: ApiClient, s: Setup) => Promise<unknown>;
}

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({
    env: {
      GOOGLE_CLIENT_ID: 'parity-client',
      GOOGLE_CLIENT_SECRET: 'parity-secret',
      GOOGLE_REDIRECT_URI: 'http://app.test/oauth/google',
      UPLOAD_DIR: testUploadDir(),
    },
  });
  await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
});
afterAll(() => api.close());

const device = {
  deviceId: 'install-1',
  platform: 'android',
  pushToken: 'push-1',
  appVersion: '1.0.0',
} as const;
const profile = {
  firstName: 'Grace',
  lastName: 'Hopper',
  dateOfBirth: '1906-12-09',
  gender: 'female',
  city: 'New York',
} as const;
const user = () => signUp(api);
const userWithUpload = async () => {
  const u = await signUp(api);
  const stored = await upload(api, u.token, { bytes: TINY_PNG, type: 'image/png' });
  return { ...u, uploadId: stored.body.data.id as string };
};

const ROWS: Row[] = [
  {
    name: 'get-otp',
    setup: async () => ({ phone: aPhone() }),
    rest: (s) => ['POST', '/api/auth/get-otp', { phone: s.phone }],
    trpc: (c, s) => c.auth.getOtp.mutate({ phone: s.phone as string }),
  },
  {
    name: 'verify-otp',
    setup: async () => {
      const phone = aPhone();
      await api.rest('POST', '/api/auth/get-otp', { phone });
      return { phone, code: lastOtpCode(api, phone) };
    },
    rest: (s) => ['POST', '/api/auth/verify-otp', { phone: s.phone, code: s.code }],
    trpc: (c, s) => c.auth.verifyOtp.mutate({ phone: s.phone as string, code: s.code as string }),
  },
  {
    name: 'register',
    setup: async () => {
      const phone = aPhone();
      return { phone, verificationToken: await verifyPhone(api, phone) };
    },
    rest: (s) => [
      'POST',
      '/api/auth/register',
      { phone: s.phone, verificationToken: s.verificationToken, device },
    ],
    trpc: (c, s) =>
      c.auth.register.mutate({
        phone: s.phone as string,
        verificationToken: s.verificationToken as string,
        device,
      }),
  },
  {
    name: 'login',
    setup: async () => {
      const u = await signUp(api);
      return { phone: u.phone, verificationToken: await verifyPhone(api, u.phone) };
    },
    rest: (s) => ['POST', '/api/auth/login', { phone: s.phone, verificationToken: s.verificationToken }],
    trpc: (c, s) =>
      c.auth.login.mutate({ phone: s.phone as string, verificationToken: s.verificationToken as string }),
  },
  { name: 'me', setup: user, rest: () => ['GET', '/api/auth/me'], trpc: (c) => c.auth.me.query({}) },
  {
    name: 'logout',
    setup: user,
    rest: () => ['POST', '/api/auth/logout', {}],
    trpc: (c) => c.auth.logout.mutate({}),
  },
  {
    name: 'refresh',
    setup: user,
    rest: () => ['POST', '/api/auth/refresh', {}],
    trpc: (c) => c.auth.refresh.mutate({}),
  },
  {
    name: 'device POST',
    setup: user,
    rest: () => ['POST', '/api/auth/device', device],
    trpc: (c) => c.auth.registerDevice.mutate(device),
  },
  {
    name: 'device PUT',
    setup: async () => {
      const u = await signUp(api, { device });
      return u;
    },
    rest: () => ['PUT', '/api/auth/device', { ...device, pushToken: 'push-2' }],
    trpc: (c) => c.auth.updateDevice.mutate({ ...device, pushToken: 'push-2' }),
  },
  {
    name: 'profile GET',
    setup: user,
    rest: () => ['GET', '/api/user/profile'],
    trpc: (c) => c.profile.get.query({}),
  },
  {
    name: 'profile PUT',
    setup: user,
    rest: () => ['PUT', '/api/user/profile', profile],
    trpc: (c) => c.profile.replace.mutate(profile),
  },
  {
    name: 'profile PATCH',
    setup: user,
    rest: () => ['PATCH', '/api/user/profile', { city: 'Paris' }],
    trpc: (c) => c.profile.update.mutate({ city: 'Paris' }),
  },
  {
    name: 'kyc POST',
    setup: userWithUpload,
    rest: (s) => [
      'POST',
      '/api/auth/kyc',
      { documentType: 'passport', documentNumber: 'P1234567', frontImageId: s.uploadId },
    ],
    trpc: (c, s) =>
      c.kyc.submit.mutate({
        documentType: 'passport',
        documentNumber: 'P1234567',
        frontImageId: s.uploadId as string,
      }),
  },
  {
    name: 'kyc PATCH',
    setup: async () => {
      const u = await userWithUpload();
      await api.rest(
        'POST',
        '/api/auth/kyc',
        { documentType: 'passport', documentNumber: 'P1234567', frontImageId: u.uploadId },
        bearer(u.token),
      );
      return u;
    },
    rest: () => ['PATCH', '/api/auth/kyc', { documentNumber: 'P7654321' }],
    trpc: (c) => c.kyc.update.mutate({ documentNumber: 'P7654321' }),
  },
  {
    name: 'kyc-status',
    setup: user,
    rest: () => ['GET', '/api/auth/kyc-status'],
    trpc: (c) => c.kyc.status.query({}),
  },
  {
    name: 'account DELETE',
    setup: user,
    rest: () => ['DELETE', '/api/auth/account'],
    trpc: (c) => c.auth.deleteAccount.mutate({}),
  },
  {
    name: 'oauth authorize',
    setup: async () => ({}),
    rest: () => ['GET', '/api/auth/oauth/google/authorize'],
    trpc: (c) => c.auth.oauth.authorize.query({ provider: 'google' }),
  },
  {
    name: 'admin suspend',
    setup: async () => {
      const admin = await signUpAdmin(api, 'support');
      return { token: admin.token, target: (await signUp(api)).userId };
    },
    rest: (s) => ['POST', `/api/admin/users/${s.target}/suspend`, { reason: 'fraud check' }],
    trpc: (c, s) => c.admin.users.suspend.mutate({ userId: s.target as string, reason: 'fraud check' }),
  },
];

describe('every auth/account endpoint gives the same answer over REST and tRPC', () => {
  it.each(ROWS)('$name', async (row) => {
    const viaRest = await row.setup();
    const [method, path, body] = row.rest(viaRest);
    const rest = await api.rest(method, path, body, viaRest.token ? bearer(viaRest.token) : {});
    expect(rest.status, JSON.stringify(rest.body)).toBe(200);
    expect(rest.body.success).toBe(true);

    const viaTrpc = await row.setup();
    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: viaTrpc.token });
    const trpc = await row.trpc(client, viaTrpc);
    // REST carries dates as ISO strings; the comparison is on the JSON both produce.
    expect(stable(rest.body.data)).toEqual(stable(JSON.parse(JSON.stringify(trpc))));
  });

  it('every row is in the OpenAPI document, protected ones with bearerAuth', async () => {
    const doc = (await api.rest('GET', '/api/openapi.json')).body;
    for (const [path, method, secured] of [
      ['/auth/get-otp', 'post', false],
      ['/auth/verify-otp', 'post', false],
      ['/auth/register', 'post', false],
      ['/auth/login', 'post', false],
      ['/auth/logout', 'post', true],
      ['/auth/refresh', 'post', true],
      ['/auth/me', 'get', true],
      ['/auth/device', 'post', true],
      ['/auth/device', 'put', true],
      ['/auth/account', 'delete', true],
      ['/user/profile', 'get', true],
      ['/user/profile', 'put', true],
      ['/user/profile', 'patch', true],
      ['/auth/kyc', 'post', true],
      ['/auth/kyc', 'patch', true],
      ['/auth/kyc-status', 'get', true],
      ['/app/upload', 'post', true],
      ['/auth/oauth/{provider}/authorize', 'get', false],
      ['/auth/oauth/{provider}/callback', 'post', false],
      ['/admin/users/{userId}/suspend', 'post', true],
    ] as const) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Boolean(operation.security), `${method} ${path} security`).toBe(secured);
    }
  });
});
