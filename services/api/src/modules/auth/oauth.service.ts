import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OAuthAccount, User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { ArcticFetchError, generateCodeVerifier, generateState, OAuth2RequestError } from 'arctic';
import type { Context } from '../../trpc/context.ts';
import { createAccount, startSession, withConflicts } from './account.service.ts';
import type {
  OAuthCallbackInput,
  OAuthCallbackOutput,
  OAuthStartInput,
  OAuthStartOutput,
} from './oauth.schemas.ts';
import { type OAuthIdentity, type OAuthProviderName, oauthProvider } from './oauth-providers.ts';
import { auditUser } from './user-audit.ts';

const FLOW_TTL_MS = 10 * 60_000;

/**
 * Step 1: the authorization URL plus a sealed `flowToken` (AES-256-GCM under a
 * key derived from APP_SECRET) holding the state and the PKCE code verifier.
 * Mobile apps keep it like a cookie and hand it back with the code; the
 * verifier never travels through the browser or the provider, and nothing
 * needs storing server-side between the two steps.
 */
export function startOAuth(ctx: Context, input: OAuthStartInput): OAuthStartOutput {
  const provider = oauthProvider(ctx.deps.env, input.provider);
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const expiresAt = new Date(Date.now() + FLOW_TTL_MS);
  const flow: Flow = { p: input.provider, s: state, v: codeVerifier, e: expiresAt.getTime() };
  return {
    url: provider.authorizationUrl(state, codeVerifier).toString(),
    state,
    flowToken: seal(ctx.deps.env.APP_SECRET, flow),
    expiresAt,
  };
}

/**
 * Step 2: the code and state from the provider's redirect, with the flow token.
 * The identity is linked or a user created:
 * - an identity linked before signs in its user;
 * - a signed-in caller links the identity to their own account;
 * - else a verified email matching an active user links to that user;
 * - else a new account (with wallet, points and signup bonus) is made.
 */
export async function finishOAuth(ctx: Context, input: OAuthCallbackInput): Promise<OAuthCallbackOutput> {
  const flow = open(ctx.deps.env.APP_SECRET, input.flowToken);
  if (!flow || flow.p !== input.provider || flow.e < Date.now() || !sameText(flow.s, input.state)) {
    throw new DomainError('UNAUTHENTICATED', 'sign-in refused: state does not match or the attempt expired');
  }
  const identity = await identify(ctx, input.provider, input.code, flow.v);
  return withConflicts(() =>
    ctx.em.transactional(async (tx) => {
      const linked = await tx.findOne(
        OAuthAccount,
        { provider: input.provider, providerUserId: identity.subject },
        { populate: ['user'] },
      );
      if (linked) {
        if (ctx.auth && ctx.auth.user.id !== linked.user.id) {
          throw new DomainError('CONFLICT', `this ${input.provider} account is linked to another user`);
        }
        const session = await signIn(ctx, tx, linked.user, input, 'existing');
        return { ...session, created: false, linked: false };
      }

      let user: User | null = null;
      if (ctx.auth) user = await tx.findOneOrFail(User, { id: ctx.auth.user.id });
      else if (identity.email && identity.emailVerified) {
        user = await tx.findOne(User, { email: identity.email, status: 'active' });
      }
      const created = !user;
      if (!user) {
        const emailFree = identity.email && !(await tx.count(User, { email: identity.email }));
        user = await createAccount(tx, ctx.client, {
          phone: null,
          email: emailFree ? identity.email : null,
          fullName: identity.name,
          inviter: null,
          via: input.provider,
        });
      }
      tx.create(OAuthAccount, {
        user,
        provider: input.provider,
        providerUserId: identity.subject,
        email: identity.email,
      });
      auditUser(tx, user.id, 'auth.oauth_linked', ctx.client, { provider: input.provider, created });
      const session = await signIn(ctx, tx, user, input, created ? 'created' : 'linked');
      return { ...session, created, linked: true };
    }),
  );
}

async function signIn(ctx: Context, tx: EntityManager, user: User, input: OAuthCallbackInput, how: string) {
  if (user.status !== 'active') throw new DomainError('FORBIDDEN', `this account is ${user.status}`);
  return startSession(ctx, tx, user, input.device, `${input.provider}:${how}`);
}

async function identify(
  ctx: Context,
  name: OAuthProviderName,
  code: string,
  verifier: string,
): Promise<OAuthIdentity> {
  const provider = oauthProvider(ctx.deps.env, name);
  try {
    return await provider.identify(code, verifier);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof OAuth2RequestError) {
      throw new DomainError('UNAUTHENTICATED', `sign-in refused by ${name}: ${error.code}`);
    }
    if (error instanceof ArcticFetchError) {
      throw new DomainError('SERVICE_UNAVAILABLE', `${name} could not be reached`);
    }
    ctx.logger.warn({ err: error, provider: name }, 'oauth token exchange failed');
    throw new DomainError('UNAUTHENTICATED', `sign-in refused: unexpected answer from ${name}`);
  }
}

interface Flow {
  p: OAuthProviderName;
  s: string;
  v: string;
  e: number;
}

function keyOf(secret: string): Buffer {
  return createHash('sha256').update(`oauth-flow:${secret}`).digest();
}

function seal(secret: string, flow: Flow): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(flow), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function open(secret: string, token: string): Flow | null {
  try {
    const raw = Buffer.from(token, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Flow;
  } catch {
    return null;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
