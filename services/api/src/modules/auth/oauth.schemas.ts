import { z } from 'zod';
import { DeviceInput, SessionOutput } from './auth.schemas.ts';
import { OAUTH_PROVIDERS } from './oauth-providers.ts';

export const OAuthStartInput = z.object({ provider: z.enum(OAUTH_PROVIDERS) }).strict();
export type OAuthStartInput = z.infer<typeof OAuthStartInput>;
export const OAuthStartOutput = z.object({
  /** Open this in a browser. */
  url: z.string(),
  state: z.string(),
  /** Keep it and send it back with the code; it carries the PKCE verifier, sealed. */
  flowToken: z.string(),
  expiresAt: z.date(),
});
export type OAuthStartOutput = z.infer<typeof OAuthStartOutput>;

export const OAuthCallbackInput = z
  .object({
    provider: z.enum(OAUTH_PROVIDERS),
    code: z.string().min(1).max(2048),
    state: z.string().min(1).max(256),
    flowToken: z.string().min(1).max(2048),
    device: DeviceInput.optional(),
  })
  .strict();
export type OAuthCallbackInput = z.infer<typeof OAuthCallbackInput>;
export const OAuthCallbackOutput = SessionOutput.extend({
  /** A new account was made for this identity. */
  created: z.boolean(),
  /** The identity was linked to an account now (new or existing). */
  linked: z.boolean(),
});
export type OAuthCallbackOutput = z.infer<typeof OAuthCallbackOutput>;
