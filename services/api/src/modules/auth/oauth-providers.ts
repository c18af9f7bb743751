import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import type { ApiEnv } from '@powerbank/config';
import { DomainError } from '@powerbank/domain';
import {
  ArcticFetchError,
  CodeChallengeMethod,
  decodeIdToken,
  OAuth2Client,
  OAuth2RequestError,
  OAuth2Tokens,
} from 'arctic';

export const OAUTH_PROVIDERS = ['google', 'apple'] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

/** Who the provider says signed in, from its ID token. */
export interface OAuthIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export interface OAuthProvider {
  name: OAuthProviderName;
  /** Where to send the user's browser; `codeVerifier` is used by providers with PKCE. */
  authorizationUrl(state: string, codeVerifier: string): URL;
  /** Trades the code from the redirect for tokens (server to server) and reads the ID token. */
  identify(code: string, codeVerifier: string): Promise<OAuthIdentity>;
}

const GOOGLE_AUTHORIZE = 'https://accounts.google.com/o/oauth2/v2/auth';
const GOOGLE_TOKEN = 'https://oauth2.googleapis.com/token';

/**
 * The configured provider, or 404 when it is not set up. Google goes through
 * Arctic's generic OAuth2Client, because Arctic's `Google` class has its
 * endpoints built in and GOOGLE_OAUTH_BASE_URL must be able to replace them.
 */
export function oauthProvider(env: ApiEnv, name: OAuthProviderName): OAuthProvider {
  if (name === 'google') {
    const { GOOGLE_CLIENT_ID: id, GOOGLE_CLIENT_SECRET: secret, GOOGLE_REDIRECT_URI: redirect } = env;
    if (!id || !secret || !redirect) throw notConfigured(name);
    const base = env.GOOGLE_OAUTH_BASE_URL?.replace(/\/$/, '');
    const client = new OAuth2Client(id, secret, redirect);
    return {
      name,
      authorizationUrl: (state, verifier) =>
        client.createAuthorizationURLWithPKCE(
          base ? `${base}/o/oauth2/v2/auth` : GOOGLE_AUTHORIZE,
          state,
          CodeChallengeMethod.S256,
          verifier,
          ['openid', 'email', 'profile'],
        ),
      identify: async (code, verifier) =>
        identityOf(
          await client.validateAuthorizationCode(base ? `${base}/token` : GOOGLE_TOKEN, code, verifier),
          id,
        ),
    };
  }
  const { APPLE_CLIENT_ID: id, APPLE_TEAM_ID: team, APPLE_KEY_ID: key, APPLE_PRIVATE_KEY: pem } = env;
  const redirect = env.APPLE_REDIRECT_URI;
  if (!id || !team || !key || !pem || !redirect) throw notConfigured(name);
  const base = env.APPLE_OAUTH_BASE_URL?.replace(/\/$/, '') ?? APPLE_BASE;
  const client = new OAuth2Client(id, null, redirect);
  return {
    name,
    authorizationUrl: (state) => {
      // Apple sends name and email only when asked, and then only by form POST to the redirect URI.
      const url = client.createAuthorizationURL(`${base}/auth/authorize`, state, ['name', 'email']);
      url.searchParams.set('response_mode', 'form_post');
      return url;
    },
    identify: async (code) => {
      const secret = await appleClientSecret({ clientId: id, teamId: team, keyId: key, pem });
      return identityOf(
        await appleTokens(`${base}/auth/token`, { code, clientId: id, secret, redirect }),
        id,
      );
    },
  };
}

const APPLE_BASE = 'https://appleid.apple.com';

/**
 * Apple's client secret: a JWT (ES256, 5 minutes) signed with the team's key,
 * as Apple documents it and Arctic's `Apple` builds it (which keeps this
 * private and its endpoints fixed, so APPLE_OAUTH_BASE_URL needs our own).
 */
async function appleClientSecret(o: { clientId: string; teamId: string; keyId: string; pem: string }) {
  const privateKey = await crypto.subtle.importKey(
    'pkcs8',
    pkcs8FromPem(o.pem),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const now = Math.floor(Date.now() / 1000);
  const header = JSON.stringify({ typ: 'JWT', alg: 'ES256', kid: o.keyId });
  const payload = JSON.stringify({
    iss: o.teamId,
    iat: now,
    exp: now + 300,
    aud: [APPLE_BASE],
    sub: o.clientId,
  });
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new Uint8Array(createJWTSignatureMessage(header, payload)),
  );
  return encodeJWT(header, payload, new Uint8Array(signature));
}

/** The code for tokens; Apple takes the client secret in the form body (client_secret_post). */
async function appleTokens(
  endpoint: string,
  o: { code: string; clientId: string; secret: string; redirect: string },
): Promise<OAuth2Tokens> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: o.code,
    redirect_uri: o.redirect,
    client_id: o.clientId,
    client_secret: o.secret,
  });
  // Failures as Arctic reports them for Google, so the caller maps both providers alike.
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  }).catch((error: unknown) => {
    throw new ArcticFetchError(error);
  });
  const data = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (typeof data?.error === 'string') throw new OAuth2RequestError(data.error, null, null, null);
  if (!response.ok || !data) throw invalid(`unexpected answer from the token endpoint (${response.status})`);
  return new OAuth2Tokens(data);
}

/**
 * The ID token comes straight from the provider's token endpoint over TLS in
 * answer to our authenticated request, so (OIDC Core 3.1.3.7) its signature
 * need not be checked; its audience and expiry still are.
 */
function identityOf(tokens: OAuth2Tokens, clientId: string): OAuthIdentity {
  const claims = decodeIdToken(tokens.idToken()) as Record<string, unknown>;
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(clientId)) throw invalid('ID token is for another client');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) throw invalid('ID token expired');
  if (typeof claims.sub !== 'string' || !claims.sub) throw invalid('ID token has no subject');
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
  return {
    subject: claims.sub,
    email,
    // Apple sends "true" as a string.
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: typeof claims.name === 'string' ? claims.name : null,
  };
}

// Uint8Array<ArrayBuffer>: the DOM's BufferSource (the console type-checks the api with DOM types) takes no shared buffer.
function pkcs8FromPem(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem
    .replace(/\\n/g, '\n')
    .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '')
    .replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function notConfigured(name: string): DomainError {
  return new DomainError('NOT_FOUND', `${name} sign-in is not configured`);
}

function invalid(message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', `sign-in refused: ${message}`);
}
