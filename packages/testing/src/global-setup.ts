import { jetstreamManager } from '@nats-io/jetstream';
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats, mqttIsUp } from '@powerbank/messaging';
import type { TestProject } from 'vitest/node';
import { isStaleTestResource, newTestResourceName, TEST_RESOURCE_PREFIX } from './run-id.ts';
import { adminQuery, databaseUrl } from './test-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dbTemplate: string;
  }
}

/**
 * Once per run: checks the three real servers answer, removes what crashed
 * runs left behind, and migrates a template database that every test file
 * copies (CREATE DATABASE … TEMPLATE is much faster than migrating each time).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = parseConfig(commonEnv);
  await assertServicesUp(env);
  await removeStaleResources(env.NATS_URL);

  const template = newTestResourceName();
  await adminQuery(`CREATE DATABASE "${template}"`);
  const orm = await openOrm(
    { DATABASE_URL: databaseUrl(template), DB_POOL_MIN: 0, DB_POOL_MAX: 2, DB_POOL_IDLE_MS: 10_000 },
    { migrations: { silent: true } },
  );
  try {
    await orm.migrator.up();
  } finally {
    await orm.close(true);
  }
  project.provide('dbTemplate', template);

  return async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  };
}

async function assertServicesUp(env: ReturnType<typeof parseConfig<typeof commonEnv>>): Promise<void> {
  const down: string[] = [];
  await adminQuery('SELECT 1').catch(() => down.push(`Postgres at ${env.DATABASE_URL}`));
  const nc = await connectNats(env.NATS_URL, 'test-setup').catch(() => undefined);
  if (!nc) down.push(`NATS at ${env.NATS_URL}`);
  await nc?.close();
  // The suite's clients connect anonymously; a broker of the project's config (the dev stack's) refuses them.
  if (!(await mqttIsUp(env.MQTT_URL, 2000)))
    down.push(
      `MQTT at ${env.MQTT_URL} (or it refuses anonymous clients: \`bash infra/test\` gets the tests one that does not)`,
    );
  if (down.length) {
    throw new Error(
      `Tests need real servers; not reachable: ${down.join(', ')}. Run \`bash infra/services\` first.`,
    );
  }
}

async function removeStaleResources(natsUrl: string): Promise<void> {
  const { rows } = await adminQuery(
    `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_RESOURCE_PREFIX}%'`,
  );
  for (const { datname } of rows as { datname: string }[]) {
    if (isStaleTestResource(datname)) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  const nc = await connectNats(natsUrl, 'test-cleanup');
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (isStaleTestResource(name)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}
