import { generateKeyPairSync } from 'node:crypto';
import { createApiClient } from '@powerbank/api-client';
import { OAuthAccount } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, signUp } from '../../testing/auth-helpers.ts';
import { startFakeApple, startFakeGoogle } from '../../testing/fake-oauth.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

const CLIENT_ID = 'test-client';
const CLIENT_SECRET = 'test-secret';
const REDIRECT_URI = 'http://app.test/oauth/google';

const APPLE_REDIRECT_URI = 'https://app.test/oauth/apple';
const appleKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const appleClient = {
  id: 'com.example.powerbank',
  teamId: 'TEAM123456',
  keyId: 'KEY1234567',
  publicKey: appleKeys.publicKey,
};

let api: TestApi;
let google: Awaited<ReturnType<typeof startFakeGoogle>>;
let apple: Awaited<ReturnType<typeof startFakeApple>>;
beforeAll(async () => {
  google = await startFakeGoogle({ id: CLIENT_ID, secret: CLIENT_SECRET });
  apple = await startFakeApple(appleClient);
  api = await createTestApi({
    env: {
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GOOGLE_REDIRECT_URI: REDIRECT_URI,
      GOOGLE_OAUTH_BASE_URL: google.base,
      APPLE_CLIENT_ID: appleClient.id,
      APPLE_TEAM_ID: appleClient.teamId,
      APPLE_KEY_ID: appleClient.keyId,
      // As it is kept in an env file: one line, newlines escaped.
      APPLE_PRIVATE_KEY: appleKeys.privateKey
        .export({ type: 'pkcs8', format: 'pem' })
        .toString()
        .replaceAll('\n', '\\n'),
      APPLE_REDIRECT_URI,
      APPLE_OAUTH_BASE_URL: apple.base,
    },
  });
  await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
});
afterAll(async () => {
  await api.close();
  await google.close();
  await apple.close();
});

/** What a browser does: open the authorization URL, follow it to the redirect, read code and state. */
async function authorize(headers: Record<string, string> = {}) {
  const start = await api.rest('GET', '/api/auth/oauth/google/authorize', undefined, headers);
  expect(start.status).toBe(200);
  const redirect = await fetch(start.body.data.url, { redirect: 'manual' });
  const back = new URL(redirect.headers.get('location') ?? '');
  expect(back.origin + back.pathname).toBe(REDIRECT_URI);
  const flow = {
    code: back.searchParams.get('code') ?? '',
    state: back.searchParams.get('state') ?? '',
    flowToken: start.body.data.flowToken as string,
  };
  // Not enumerable: the flow is posted as it is, and the callback refuses unknown keys.
  return Object.defineProperty(flow, 'url', {
    value: new URL(start.body.data.url),
    enumerable: false,
  }) as typeof flow & {
    url: URL;
  };
}

describe('Google sign-in (Arctic) against a local OIDC server', () => {
  it('asks for PKCE S256 and the OIDC scopes', async () => {
    const flow = await authorize();
    expect(flow.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(flow.url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(flow.url.searchParams.get('scope')).toBe('openid email profile');
  });

  it('creates an account for a new identity, then signs the same identity in again', async () => {
    google.signInAs({
      sub: 'g-new',
      email: 'New.Person@example.com',
      emailVerified: true,
      name: 'New Person',
    });
    const first = await api.rest('POST', '/api/auth/oauth/google/callback', await authorize());
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toMatchObject({ created: true, linked: true });
    expect(first.body.data.user).toMatchObject({
      email: 'new.person@example.com',
      fullName: 'New Person',
      phone: null,
    });
    const me = await api.rest('GET', '/api/auth/me', undefined, bearer(first.body.data.token));
    expect(me.body.data.id).toBe(first.body.data.user.id);

    // Over tRPC too: the linked identity signs in its user.
    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch });
    const again = await client.auth.oauth.callback.mutate({ provider: 'google', ...(await authorize()) });
    expect(again).toMatchObject({ created: false, linked: false, user: { id: first.body.data.user.id } });
  });

  it('links to the user with the same verified email, or to the signed-in caller', async () => {
    const byEmail = await signUp(api, { email: 'known@example.com' });
    google.signInAs({ sub: 'g-known', email: 'known@example.com', emailVerified: true });
    const linked = await api.rest('POST', '/api/auth/oauth/google/callback', await authorize());
    expect(linked.body.data).toMatchObject({ created: false, linked: true, user: { id: byEmail.userId } });

    const caller = await signUp(api);
    google.signInAs({ sub: 'g-caller', email: 'someone-else@example.com', emailVerified: false });
    const own = await api.rest(
      'POST',
      '/api/auth/oauth/google/callback',
      await authorize(),
      bearer(caller.token),
    );
    expect(own.body.data).toMatchObject({ created: false, linked: true, user: { id: caller.userId } });
    expect(
      await api.deps.orm.em.fork().count(OAuthAccount, { user: caller.userId, provider: 'google' }),
    ).toBe(1);

    // An unverified email never links to someone else's account.
    google.signInAs({ sub: 'g-unverified', email: 'known@example.com', emailVerified: false });
    const fresh = await api.rest('POST', '/api/auth/oauth/google/callback', await authorize());
    expect(fresh.body.data.created).toBe(true);
    expect(fresh.body.data.user.id).not.toBe(byEmail.userId);

    // An identity linked to one user cannot be linked by another.
    google.signInAs({ sub: 'g-caller' });
    const stranger = await signUp(api);
    const taken = await api.rest(
      'POST',
      '/api/auth/oauth/google/callback',
      await authorize(),
      bearer(stranger.token),
    );
    expect(taken.status).toBe(409);
  });

  it('refuses a wrong state, a tampered flow token and a code with another flow’s PKCE verifier (401)', async () => {
    google.signInAs({ sub: 'g-attack' });
    const flow = await authorize();
    const wrongState = await api.rest('POST', '/api/auth/oauth/google/callback', {
      ...flow,
      state: 'forged',
    });
    expect(wrongState.status).toBe(401);
    const tampered = await api.rest('POST', '/api/auth/oauth/google/callback', {
      ...flow,
      flowToken: `${flow.flowToken.slice(0, -4)}AAAA`,
    });
    expect(tampered.status).toBe(401);
    const other = await authorize();
    const swapped = await api.rest('POST', '/api/auth/oauth/google/callback', {
      provider: 'google',
      code: flow.code,
      state: other.state,
      flowToken: other.flowToken,
    });
    expect(swapped.status).toBe(401);
  });
});

/** What Apple's page does in the browser: form-POST code and state to the redirect URI; the app reads them. */
async function authorizeApple() {
  const start = await api.rest('GET', '/api/auth/oauth/apple/authorize');
  expect(start.status).toBe(200);
  const page = await fetch(start.body.data.url);
  expect(page.status).toBe(200);
  const html = await page.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  expect(/action="([^"]*)"/.exec(html)?.[1]).toBe(APPLE_REDIRECT_URI);
  return { code: field('code'), state: field('state'), flowToken: start.body.data.flowToken as string };
}

describe("Apple sign-in against a local server in Apple's shape", () => {
  it('asks for name and email by form POST, pays with an ES256 client secret, and signs the person in', async () => {
    const start = await api.rest('GET', '/api/auth/oauth/apple/authorize');
    const url = new URL(start.body.data.url);
    expect(url.origin + url.pathname).toBe(`${apple.base}/auth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'name email',
      client_id: appleClient.id,
      redirect_uri: APPLE_REDIRECT_URI,
    });

    // Apple's "true" (a string) counts as a verified email: the identity links to that user.
    const known = await signUp(api, { email: 'apple.user@example.com' });
    apple.signInAs({ sub: 'a-001', email: 'Apple.User@example.com', emailVerified: 'true' });
    const linked = await api.rest('POST', '/api/auth/oauth/apple/callback', {
      provider: 'apple',
      ...(await authorizeApple()),
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body.data).toMatchObject({ created: false, linked: true, user: { id: known.userId } });

    // A hidden relay address, not verified: a new account of its own.
    apple.signInAs({ sub: 'a-002', email: 'x7q@privaterelay.appleid.com', emailVerified: 'false' });
    const fresh = await api.rest('POST', '/api/auth/oauth/apple/callback', {
      provider: 'apple',
      ...(await authorizeApple()),
    });
    expect(fresh.body.data).toMatchObject({ created: true, linked: true });
    const again = await api.rest('POST', '/api/auth/oauth/apple/callback', {
      provider: 'apple',
      ...(await authorizeApple()),
    });
    expect(again.body.data).toMatchObject({ created: false, user: { id: fresh.body.data.user.id } });
  });

  it('a client secret Apple cannot verify, or a code used twice, is a 401 and signs nobody in', async () => {
    apple.signInAs({ sub: 'a-003', email: 'third@example.com', emailVerified: 'true' });
    const flow = await authorizeApple();
    const realKey = appleClient.publicKey;
    appleClient.publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    try {
      const refused = await api.rest('POST', '/api/auth/oauth/apple/callback', {
        provider: 'apple',
        ...flow,
      });
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toMatch(/invalid_client/);
    } finally {
      appleClient.publicKey = realKey;
    }
    const ok = await api.rest('POST', '/api/auth/oauth/apple/callback', { provider: 'apple', ...flow });
    expect(ok.status).toBe(200);
    const replayed = await api.rest('POST', '/api/auth/oauth/apple/callback', { provider: 'apple', ...flow });
    expect(replayed.status).toBe(401);
  });

  it('is 404 where Apple is not configured', async () => {
    const bare = await createTestApi();
    try {
      expect((await bare.rest('GET', '/api/auth/oauth/apple/authorize')).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
