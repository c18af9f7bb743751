import { createHash, createHmac, type KeyObject, randomUUID, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Who the fake provider says signs in next. */
export interface Identity {
  sub: string;
  email?: string;
  /** Apple sends the string "true"/"false", Google a boolean. */
  emailVerified?: boolean | 'true' | 'false';
  name?: string;
}

interface Grant {
  identity: Identity;
  /** Google: the PKCE challenge the authorization request carried. */
  challenge?: string;
}

type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  provider: ProviderCore,
) => Promise<void> | void;

interface ProviderCore {
  base: string;
  codes: Map<string, Grant>;
  next: Identity;
  /** An ID token for `identity`, audience `clientId` (HS256 with a test key: the api does not verify it). */
  idToken(identity: Identity, clientId: string): string;
  fail(res: ServerResponse, error: string): void;
  tokens(res: ServerResponse, idToken: string): void;
}

export const readForm = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
};

/** A tiny OAuth2/OIDC provider on a free local port, answering the routes given by `METHOD /path`. */
async function startProvider(routes: Record<string, Route>) {
  const core: ProviderCore = {
    base: '',
    codes: new Map(),
    next: { sub: 'nobody' },
    idToken(identity, clientId) {
      const now = Math.floor(Date.now() / 1000);
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({
        iss: core.base,
        aud: clientId,
        sub: identity.sub,
        email: identity.email,
        email_verified: identity.emailVerified ?? false,
        name: identity.name,
        iat: now,
        exp: now + 3600,
      })}`;
      return `${body}.${createHmac('sha256', 'test-signing-key').update(body).digest('base64url')}`;
    },
    fail: (res, error) =>
      void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error })),
    tokens: (res, idToken) =>
      void res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: randomUUID(),
          token_type: 'Bearer',
          expires_in: 3600,
          id_token: idToken,
        }),
      ),
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', core.base);
    const route = routes[`${req.method} ${url.pathname}`];
    if (route) await route(req, res, url, core);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  core.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: core.base,
    signInAs(identity: Identity) {
      core.next = identity;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Google's shape: `/o/oauth2/v2/auth` redirects back with a code; `/token`
 * checks the client's Basic credentials and the PKCE verifier.
 */
export function startFakeGoogle(client: { id: string; secret: string }) {
  return startProvider({
    'GET /o/oauth2/v2/auth': (_req, res, url, p) => {
      const code = randomUUID();
      p.codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', identity: p.next });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
    },
    'POST /token': async (req, res, _url, p) => {
      const form = await readForm(req);
      const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64');
      const grant = p.codes.get(form.get('code') ?? '');
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (req.headers.authorization !== `Basic ${basic}`) return p.fail(res, 'invalid_client');
      if (!grant || grant.challenge !== challenge) return p.fail(res, 'invalid_grant');
      p.codes.delete(form.get('code') ?? '');
      p.tokens(res, p.idToken(grant.identity, client.id));
    },
  });
}

/**
 * Apple's shape: `/auth/authorize` answers with a page that form-POSTs code and
 * state to the redirect URI (`response_mode=form_post`); `/auth/token` wants
 * the client secret in the body, as an ES256 JWT from the team's key, which it
 * verifies with `client.publicKey` (swap it to make the secret wrong).
 */
export async function startFakeApple(client: {
  id: string;
  teamId: string;
  keyId: string;
  publicKey: KeyObject;
}) {
  const fake = await startProvider({
    'GET /auth/authorize': (_req, res, url, p) => {
      const form = url.searchParams;
      if (form.get('response_mode') !== 'form_post' || form.get('client_id') !== client.id) {
        return p.fail(res, 'invalid_request');
      }
      const code = randomUUID();
      p.codes.set(code, { identity: p.next });
      const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${value}">`;
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<form method="post" action="${form.get('redirect_uri')}">${field('code', code)}${field('state', form.get('state') ?? '')}</form>`,
        );
    },
    'POST /auth/token': async (req, res, _url, p) => {
      const form = await readForm(req);
      const grant = p.codes.get(form.get('code') ?? '');
      if (form.get('grant_type') !== 'authorization_code' || form.get('client_id') !== client.id) {
        return p.fail(res, 'invalid_request');
      }
      if (!validClientSecret(form.get('client_secret') ?? '', client)) return p.fail(res, 'invalid_client');
      if (!grant) return p.fail(res, 'invalid_grant');
      p.codes.delete(form.get('code') ?? '');
      p.tokens(res, p.idToken(grant.identity, client.id));
    },
  });
  return fake;
}

/** Apple's rules for the client secret: ES256 by the team's key id, iss team, sub client, aud Apple, not expired. */
function validClientSecret(
  token: string,
  client: { id: string; teamId: string; keyId: string; publicKey: KeyObject },
): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  const h = json(header);
  const c = json(payload);
  const now = Date.now() / 1000;
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: client.publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  return (
    signed &&
    h.alg === 'ES256' &&
    h.kid === client.keyId &&
    c.iss === client.teamId &&
    c.sub === client.id &&
    [c.aud].flat().includes('https://appleid.apple.com') &&
    c.exp > now &&
    c.iat <= now + 5
  );
}
