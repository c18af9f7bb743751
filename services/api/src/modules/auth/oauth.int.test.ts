import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient } from '@powerbank/api-client';
import { OAuthAccount } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, signUp } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

const CLIENT_ID = 'test-client';
const CLIENT_SECRET = 'test-secret';
const REDIRECT_URI = 'http://app.test/oauth/google';

interface Identity {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

/**
 * A tiny OAuth2/OIDC provider in Google's shape: `/o/oauth2/v2/auth` redirects
 * back with a code, `/token` checks client credentials and the PKCE verifier
 * and returns an ID token signed with a test key (HS256).
 */
async function startFakeGoogle() {
  const codes = new Map<string, { challenge: string; identity: Identity }>();
  let nextIdentity: Identity = { sub: 'nobody' };
  let base = '';
  const sign = (claims: Record<string, unknown>) => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
    return `${body}.${createHmac('sha256', 'test-signing-key').update(body).digest('base64url')}`;
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname === '/o/oauth2/v2/auth') {
      const code = randomUUID();
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', identity: nextIdentity });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = new URLSearchParams(text);
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      const grant = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const fail = (error: string) =>
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
      if (req.headers.authorization !== `Basic ${basic}`) return fail('invalid_client');
      if (!grant || grant.challenge !== challenge) return fail('invalid_grant');
      codes.delete(form.get('code') ?? '');
      const now = Math.floor(Date.now() / 1000);
      const idToken = sign({
        iss: base,
        aud: CLIENT_ID,
        sub: grant.identity.sub,
        email: grant.identity.email,
        email_verified: grant.identity.emailVerified ?? false,
        name: grant.identity.name,
        iat: now,
        exp: now + 3600,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: randomUUID(),
          token_type: 'Bearer',
          expires_in: 3600,
          id_token: idToken,
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    signInAs(identity: Identity) {
      nextIdentity = identity;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let api: TestApi;
let google: Awaited<ReturnType<typeof startFakeGoogle>>;
beforeAll(async () => {
  google = await startFakeGoogle();
  api = await createTestApi({
    env: {
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GOOGLE_REDIRECT_URI: REDIRECT_URI,
      GOOGLE_OAUTH_BASE_URL: google.base,
    },
  });
  await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
});
afterAll(async () => {
  await api.close();
  await google.close();
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
    const apple = await api.rest('GET', '/api/auth/oauth/apple/authorize');
    expect(apple.status).toBe(404);
  });
});
