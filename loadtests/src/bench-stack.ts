/**
 * What the end-to-end benchmarks share: a fresh database of their own
 * (dropped and migrated), a NATS prefix, services started as single processes
 * (killed when the runner exits, however it exits), and the clean-up.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { commonEnv, parseConfig } from '@powerbank/config';
import { registerStations, type StationToRegister } from '@powerbank/db';
import {
  type BrokerAdmin,
  type NatsConnection,
  newBrokerPassword,
  openBrokerAdmin,
} from '@powerbank/messaging';
import { spawnService, stopService } from '@powerbank/testing';
import pg from 'pg';
import { keepOutputTail, probe } from './output-tail.ts';

export { freePort } from '@powerbank/testing';

/** The value at percentile `p` of ascending `sorted` (0 when empty). */
export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `BENCH_CPU_PROF=<dir>`: each service writes a V8 CPU profile named after it
 * into that directory when it stops, to see which process spends what.
 */
function profiling(service: string): Record<string, string> {
  const dir = process.env.BENCH_CPU_PROF;
  return dir
    ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-name=${service}.cpuprofile` }
    : {};
}

export function benchStack(name: string, dbName: string, prefixBase: string) {
  const env = parseConfig(commonEnv);
  const url = new URL(env.DATABASE_URL);
  url.pathname = `/${dbName}`;
  const dbUrl = url.toString();
  const prefix = `${prefixBase}_${Date.now()}`;
  const log = (line: string) => console.error(`[${name}] ${line}`);
  const children: ChildProcess[] = [];
  /** Each service's last output lines, told when it fails or a wait for it does. */
  const outputs = new Map<string, () => string>();
  const outputsOf = (services: Iterable<string>) =>
    [...services].map((service) => `--- ${service}'s last output:\n${outputs.get(service)?.()}`).join('\n');
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });

  // A broker that requires accounts (the dev stack's, whose admin infra/services wrote to
  // .data/mosquitto/admin.env, or MQTT_ADMIN_PASSWORD): the benchmark's services and stations get theirs.
  const adminFile = `${root}.data/mosquitto/admin.env`;
  const brokerAdminPassword =
    process.env.MQTT_ADMIN_PASSWORD ??
    (existsSync(adminFile)
      ? /MQTT_ADMIN_PASSWORD=(.*)/.exec(readFileSync(adminFile, 'utf8'))?.[1]
      : undefined);
  let brokerAdmin: Promise<BrokerAdmin> | undefined;
  const broker = () => {
    brokerAdmin ??= openBrokerAdmin(
      env.MQTT_URL,
      { username: process.env.MQTT_ADMIN_USERNAME ?? 'admin', password: brokerAdminPassword! },
      { topicRoot: prefix },
    );
    return brokerAdmin;
  };
  let serviceAccount: Record<string, string> = {};

  async function admin(sql: string): Promise<void> {
    const adminUrl = new URL(env.DATABASE_URL);
    adminUrl.pathname = '/postgres';
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  return {
    env,
    dbUrl,
    prefix,
    log,
    /** Drops and recreates the benchmark's database and migrates it. */
    async freshDatabase(): Promise<void> {
      log(`database ${dbName}`);
      await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin(`CREATE DATABASE "${dbName}"`);
      const migrated = spawnSync(
        process.execPath,
        ['--import', 'tsx', `${root}packages/db/src/cli/migrate.ts`, 'up'],
        {
          cwd: root,
          env: { ...process.env, DATABASE_URL: dbUrl },
          encoding: 'utf8',
        },
      );
      if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr}`);
    },
    /** The services' broker account (one for all: a benchmark's own), when the broker requires accounts; before startService. */
    async brokerAccounts(): Promise<void> {
      if (!brokerAdminPassword) return;
      const credentials = { username: `bench-${prefix}`, password: newBrokerPassword() };
      await (await broker()).ensureServiceAccount(credentials, 'bridge');
      serviceAccount = { MQTT_USERNAME: credentials.username, MQTT_PASSWORD: credentials.password };
    },
    /**
     * Provisions the benchmark's stations: registered in the database (station-core refuses events
     * from serials that are not), and each given its broker password when the broker requires accounts.
     */
    async provisionStations(stations: (StationToRegister & { password?: string })[]): Promise<void> {
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      try {
        await registerStations((text) => client.query(text), stations);
      } finally {
        await client.end();
      }
      if (!brokerAdminPassword) return;
      for (const station of stations)
        station.password = (await (await broker()).issueStationCredentials(station.sn)).password;
    },
    /** A service against the benchmark's database and prefix, as one process. */
    startService(service: string, entry: string, extraEnv: Record<string, string>): ChildProcess {
      const child = spawnService(
        entry,
        {
          DATABASE_URL: dbUrl,
          NATS_PREFIX: prefix,
          // The benchmark's stations and bridge under a topic root of their own: a dev stack's
          // simulator on the same broker is not relayed into the benchmark, nor the other way round.
          MQTT_TOPIC_ROOT: prefix,
          LOG_LEVEL: 'warn',
          ...serviceAccount,
          ...profiling(service),
          ...extraEnv,
        },
        { stdout: 'pipe', stderr: 'pipe' },
      );
      outputs.set(service, keepOutputTail(child));
      child.on('exit', (code) => {
        if (code !== null && code !== 0) log(`${service} exited with ${code}\n${outputsOf([service])}`);
      });
      children.push(child);
      return child;
    },
    /** Resolves once `url` answers without a server error; else fails with what it answered and the services' output. */
    async waitFor(target: string, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      let seen = 'nothing yet';
      while (Date.now() < deadline) {
        const answer = await probe(target);
        if (answer.status !== undefined && answer.status < 500) return;
        seen = answer.seen;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(
        `${target} did not answer in ${timeoutMs / 1000} s; last: ${seen}\n${outputsOf(outputs.keys())}`,
      );
    },
    /** Deletes the prefix's streams, stops the services and drops the database. */
    async cleanUp(nats: NatsConnection): Promise<void> {
      const jsm = await jetstreamManager(nats);
      for await (const stream of jsm.streams.names())
        if (stream.startsWith(prefix)) await jsm.streams.delete(stream);
      await Promise.all(children.map((child) => stopService(child)));
      await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
      await brokerAdmin?.then((b) => b.close()).catch(() => undefined);
    },
  };
}
