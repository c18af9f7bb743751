import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { commonEnv, parseConfig } from '@powerbank/config';
import pg from 'pg';
import { freePort } from './nats-server.ts';
import { databaseUrl } from './test-database.ts';

const run = promisify(execFile);
/** The script `PG_REPLICA=1 infra/services` runs: the tests' replica is made the way the dev stack's is. */
const replicaScript = fileURLToPath(new URL('../../../infra/postgres/replica', import.meta.url));

/** True when this machine has the Postgres server tools a replica is made with. */
export function canMakePgReplica(): boolean {
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(join(root, v, 'bin', 'pg_basebackup')));
}

export interface PgReplica {
  /** The replica's URL (the `postgres` database): `databaseUrl(name, url)` for another. */
  url: string;
  /** Stops replaying the primary's WAL: what the primary writes from now on is not on the replica. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A streaming replica of the tests' Postgres (DATABASE_URL's server) on a free port, copied with
 * `pg_basebackup` by `infra/postgres/replica` into a temporary directory (seconds to a minute: it
 * copies the whole cluster). TEST_PG_REPLICA_URL names one already running instead (the dev
 * stack's, `PG_REPLICA=1 infra/services`), which is then left running.
 */
export async function startPgReplica(): Promise<PgReplica> {
  const given = process.env.TEST_PG_REPLICA_URL;
  let dir: string | undefined;
  let url: string;
  if (given) {
    url = given;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'pb-pg-replica-'));
    const port = await freePort();
    const env = { ...process.env, DATABASE_URL: parseConfig(commonEnv).DATABASE_URL };
    await run('bash', [replicaScript, 'start', dir, String(port)], { env });
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    pause: () => query('select pg_wal_replay_pause()'),
    resume: () => query('select pg_wal_replay_resume()'),
    async dispose() {
      if (!dir) return;
      await run('bash', [replicaScript, 'stop', dir]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once database `name` exists on the replica (a database created on the primary arrives by replay). */
export async function waitForReplicaDatabase(
  replicaUrl: string,
  name: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: databaseUrl(name, replicaUrl) });
    try {
      await client.connect();
      await client.end();
      return databaseUrl(name, replicaUrl);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
