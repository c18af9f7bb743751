import { authedProcedure, router } from '../../trpc/trpc.ts';
import { NoInput } from '../auth/auth.schemas.ts';
import { ProfileOutput, ReplaceProfileInput, UpdateProfileInput } from './profile.schemas.ts';
import { getProfile, replaceProfile, updateProfile } from './profile.service.ts';

const tags = ['user'];

/** The signed-in user's own profile; there is no way to name another user's. */
export const profileRouter = router({
  get: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/user/profile', tags, protect: true, summary: 'My profile' } })
    .input(NoInput)
    .output(ProfileOutput)
    .query(({ ctx }) => getProfile(ctx)),

  replace: authedProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/user/profile',
        tags,
        protect: true,
        summary:
          'Replace my profile (fields left out are cleared); completing it once earns the profile bonus',
      },
    })
    .input(ReplaceProfileInput)
    .output(ProfileOutput)
    .mutation(({ ctx, input }) => replaceProfile(ctx, input)),

  update: authedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/user/profile',
        tags,
        protect: true,
        summary: 'Change some profile fields; completing the profile once earns the profile bonus',
      },
    })
    .input(UpdateProfileInput)
    .output(ProfileOutput)
    .mutation(({ ctx, input }) => updateProfile(ctx, input)),
});
