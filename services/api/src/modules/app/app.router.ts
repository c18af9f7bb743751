import { mqttCredentials } from '@powerbank/messaging';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { publicProcedure, router } from '../../trpc/trpc.ts';
import { uploadProcedure } from '../uploads/upload.procedure.ts';
import { AppVersionInput, AppVersionOutput, HealthOutput } from './app.schemas.ts';
import { checkHealth, getAppVersions } from './app.service.ts';

export const appRouter = router({
  /** Multipart upload (FormData); REST: `POST /api/app/upload`. */
  upload: uploadProcedure,

  version: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/app/version',
        tags: ['app'],
        summary: 'Newest app release per platform',
      },
      // Every app start asks: answered before routing, kept until app_version changes.
      responseCache: { tables: [STATIC_TABLES.appVersion] },
    })
    .input(AppVersionInput)
    .output(AppVersionOutput)
    .query(({ ctx, input }) => getAppVersions(ctx.em, ctx.staticCache, input)),

  health: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/app/health',
        tags: ['app'],
        summary: 'Postgres, NATS and MQTT reachability',
      },
    })
    .input(AppVersionInput.pick({}))
    .output(HealthOutput)
    .query(({ ctx }) =>
      checkHealth({
        em: ctx.em,
        nats: ctx.deps.nats,
        mqttUrl: ctx.deps.env.MQTT_URL,
        mqttCredentials: mqttCredentials(ctx.deps.env),
      }),
    ),
});
