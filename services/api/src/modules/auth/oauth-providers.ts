import type { ApiEnv } from '@powerbank/config';
import { DomainError } from '@powerbank/domain';
import { Apple, CodeChallengeMethod, decodeIdToken, OAuth2Client, type OAuth2Tokens } from 'arctic';

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
  if (!id || !team || !key || !pem || !env.APPLE_REDIRECT_URI) throw notConfigured(name);
  const apple = new Apple(id, team, key, pkcs8FromPem(pem), env.APPLE_REDIRECT_URI);
  return {
    name,
    authorizationUrl: (state) => {
      // Apple sends name and email only when asked, and then only by form POST to the redirect URI.
      const url = apple.createAuthorizationURL(state, ['name', 'email']);
      url.searchParams.set('response_mode', 'form_post');
      return url;
    },
    identify: async (code) => identityOf(await apple.validateAuthorizationCode(code), id),
  };
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

function pkcs8FromPem(pem: string): Uint8Array {
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
