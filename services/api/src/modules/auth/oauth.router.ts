import { publicProcedure, router } from '../../trpc/trpc.ts';
import {
  OAuthCallbackInput,
  OAuthCallbackOutput,
  OAuthStartInput,
  OAuthStartOutput,
} from './oauth.schemas.ts';
import { finishOAuth, startOAuth } from './oauth.service.ts';

const tags = ['auth'];

/** Google / Apple sign-in (Arctic). A signed-in caller links the identity to their own account. */
export const oauthRouter = router({
  authorize: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/auth/oauth/{provider}/authorize',
        tags,
        summary: 'The provider authorization URL, its state and a sealed flow token',
      },
    })
    .input(OAuthStartInput)
    .output(OAuthStartOutput)
    .query(({ ctx, input }) => startOAuth(ctx, input)),

  callback: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/oauth/{provider}/callback',
        tags,
        summary: 'Finish sign-in with the code and state of the redirect: links or creates the account',
      },
    })
    .input(OAuthCallbackInput)
    .output(OAuthCallbackOutput)
    .mutation(({ ctx, input }) => finishOAuth(ctx, input)),
});
