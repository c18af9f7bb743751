import type { EntityManager } from '@mikro-orm/postgresql';
import { AppVersion, PLATFORMS } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { mqttIsUp, type NatsConnection, natsIsUp } from '@powerbank/messaging';
import type { StaticCache } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import type { AppVersionInput, AppVersionOutput, HealthOutput } from './app.schemas.ts';

const startedAt = Date.now();

/** The newest release per platform (optionally one platform), from the static-table cache. */
export function getAppVersions(
  em: EntityManager,
  cache: StaticCache,
  input: AppVersionInput,
): Promise<AppVersionOutput> {
  return cache.get(STATIC_TABLES.appVersion, input.platform ?? 'all', () => loadAppVersions(em, input));
}

async function loadAppVersions(em: EntityManager, input: AppVersionInput): Promise<AppVersionOutput> {
  const rows = await em.find(AppVersion, input.platform ? { platform: input.platform } : {}, {
    orderBy: { releasedAt: 'desc', id: 'desc' },
  });
  const newest = new Map<string, AppVersion>();
  for (const row of rows) if (!newest.has(row.platform)) newest.set(row.platform, row);
  // Platforms in their declared order, whatever the column type sorts by (text or native enum).
  const ordered = PLATFORMS.flatMap((platform) => newest.get(platform) ?? []);
  return {
    versions: ordered.map((v) => ({
      platform: v.platform,
      version: v.version,
      minSupportedVersion: v.minSupportedVersion,
      forceUpdate: v.forceUpdate,
      storeUrl: v.storeUrl ?? null,
      releaseNotes: v.releaseNotes ?? null,
      releasedAt: v.releasedAt,
    })),
  };
}

export interface HealthProbes {
  em: EntityManager;
  nats: NatsConnection;
  mqttUrl: string;
  /** The api's broker account, when the broker requires one. */
  mqttCredentials?: { username?: string; password?: string };
}

/**
 * Really asks each server, in parallel. Any one down → SERVICE_UNAVAILABLE
 * (503 on REST) naming it, so a load balancer takes this instance out.
 */
export async function checkHealth(probes: HealthProbes): Promise<HealthOutput> {
  const [postgres, nats, mqtt] = await Promise.all([
    probes.em
      .getConnection()
      .execute('select 1')
      .then(() => true)
      .catch(() => false),
    natsIsUp(probes.nats),
    mqttIsUp(probes.mqttUrl, 1000, probes.mqttCredentials),
  ]);
  const checks = {
    postgres: postgres ? 'up' : 'down',
    nats: nats ? 'up' : 'down',
    mqtt: mqtt ? 'up' : 'down',
  } as const;
  const down = Object.entries(checks)
    .filter(([, state]) => state === 'down')
    .map(([name]) => name);
  if (down.length) {
    throw new DomainError('SERVICE_UNAVAILABLE', `unavailable: ${down.join(', ')}`, { checks, down });
  }
  return { status: 'ok', checks, uptimeS: Math.floor((Date.now() - startedAt) / 1000) };
}
