import { adminProcedure, router } from '../../trpc/trpc.ts';
import { adminRest } from './admin-route.ts';
import { SetSettingInput, SettingOutput, SettingsInput, SettingsOutput } from './settings.schemas.ts';
import { listSettings, setSetting } from './settings.service.ts';

/** AppConfig as a typed registry: every known key, its schema checked on write. */
export const adminSettingsRouter = router({
  list: adminProcedure(['operations', 'finance', 'support'])
    .meta(
      adminRest(
        'GET',
        '/settings',
        'Business settings (AppConfig) with defaults; group=late_fee for the late-fee figures',
      ),
    )
    .input(SettingsInput)
    .output(SettingsOutput)
    .query(({ ctx, input }) => listSettings(ctx.em, input)),

  set: adminProcedure(['finance'])
    .meta(
      adminRest(
        'PUT',
        '/settings/{key}',
        'Set a business setting: a known key, its value checked against its schema',
      ),
    )
    .input(SetSettingInput)
    .output(SettingOutput)
    .mutation(({ ctx, input }) => setSetting(ctx, input)),
});
