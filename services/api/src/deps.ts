import type { MikroORM } from '@mikro-orm/postgresql';
import type { ApiEnv } from '@powerbank/config';
import type { NatsConnection } from '@powerbank/messaging';
import type { Logger } from 'pino';
import type { Metrics } from './observability/metrics.ts';

/** Everything the api needs from outside, wired once in main.ts (tests wire their own). */
export interface AppDeps {
  env: ApiEnv;
  orm: MikroORM;
  nats: NatsConnection;
  logger: Logger;
  metrics: Metrics;
}
