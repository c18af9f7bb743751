import { PLATFORMS } from '@powerbank/db';
import { z } from 'zod';

export const AppVersionInput = z.object({ platform: z.enum(PLATFORMS).optional() }).strict();
export type AppVersionInput = z.infer<typeof AppVersionInput>;

export const AppVersionItem = z.object({
  platform: z.enum(PLATFORMS),
  version: z.string(),
  minSupportedVersion: z.string(),
  forceUpdate: z.boolean(),
  storeUrl: z.string().nullable(),
  releaseNotes: z.string().nullable(),
  releasedAt: z.date(),
});
export const AppVersionOutput = z.object({ versions: z.array(AppVersionItem) });
export type AppVersionOutput = z.infer<typeof AppVersionOutput>;

export const DependencyState = z.enum(['up', 'down']);
export const HealthOutput = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ postgres: DependencyState, nats: DependencyState, mqtt: DependencyState }),
  uptimeS: z.number().int(),
});
export type HealthOutput = z.infer<typeof HealthOutput>;
