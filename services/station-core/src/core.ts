import { hostname } from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { StationCoreEnv } from '@powerbank/config';
import { openSqlPool } from '@powerbank/db';
import type { CommandAck, DispenseResult, MissingReport, ReturnReport } from '@powerbank/machines';
import { ensureStream, type NatsConnection } from '@powerbank/messaging';
import { stationPartition, subjects as subjectsFor } from '@powerbank/protocol';
import type { Logger } from 'pino';
import { DispenseWaiters, OutcomeWaiters, serveCoreApi, toDispenseResponse } from './core-api-responders.ts';
import { consumeStationEvents } from './event-consumer.ts';
import { startHeartbeatWatchdog } from './heartbeat-watchdog.ts';
import { type CoreMetrics, createCoreMetrics } from './metrics.ts';
import { PartitionLeases } from './partition-leases.ts';
import { startRentalRunner } from './rental-runner.ts';
import { StationHost } from './station-host.ts';
import { type CommandRow, StationStore } from './station-store.ts';

export interface StationCoreOptions {
  env: Pick<
    StationCoreEnv,
    'NATS_PREFIX' | 'HEARTBEAT_INTERVAL_S' | 'HEARTBEAT_MISSED_LIMIT' | 'EJECT_TIMEOUT_MS'
  > & {
    HEARTBEAT_INTERVAL_MS?: number;
    RENTAL_JOBS_INTERVAL_MS?: number;
    CORE_EVENT_MAX_DELIVER?: number;
  } & Partial<
      Pick<StationCoreEnv, 'CORE_PARTITIONS' | 'CORE_INSTANCE_ID' | 'CORE_LEASE_TTL_MS' | 'CORE_ACK_WAIT_MS'>
    >;
  orm: MikroORM;
  nats: NatsConnection;
  logger: Logger;
  /** Counters of processed, redelivered, refused and dead-lettered events; a registry of its own when not given. */
  metrics?: CoreMetrics;
  /** Minimum charge to rent (AppConfig `rental_min_battery_pct`). */
  batteryThreshold?: number;
  /** Durable consumer name (with one partition; with more, each partition's is `{name}_p{n}`). */
  durableName?: string;
  onProcessed?: (msg: { sn: string; kind: string; receivedAt: number; msgId: string; ts: number }) => void;
  onDispenseResult?: (sn: string, result: DispenseResult) => void;
  onReturn?: (sn: string, report: ReturnReport) => void;
  /** A rental timer or stale-start re-ask failed for one rental (the runner logs it as a warning). */
  onRentalJobFailed?: (job: string) => void;
}

export interface RunningStationCore {
  host: StationHost;
  /** The partitions this instance serves now. */
  partitions(): number[];
  metrics: CoreMetrics;
  store: StationStore;
  watchdog: { tick(): Promise<void> };
  stop(): Promise<void>;
}

/** Station-core's plain-SQL pool; the rest of its share of the connection budget is the ORM's. */
export const STATION_SQL_POOL_MAX = 4;

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/**
 * Wires station-core: the actor host over the store, the JetStream consumer,
 * the request/reply API, the heartbeat watchdog and the command outbox.
 */
export async function startStationCore(options: StationCoreOptions): Promise<RunningStationCore> {
  const { env, orm, nats, logger } = options;
  const metrics = options.metrics ?? createCoreMetrics();
  const partitionCount = env.CORE_PARTITIONS ?? 1;
  const subjects = subjectsFor(env.NATS_PREFIX, partitionCount);
  const partitionOf = (sn: string) => stationPartition(sn, partitionCount);
  // Set below; until the first partitions are taken, this instance serves no station.
  let leases: PartitionLeases | undefined;
  const serves = (sn: string) => leases?.owns(partitionOf(sn)) ?? false;
  await ensureStream(nats, { name: subjects.stationEventsStream, subjects: [subjects.allStationEvents] });
  // Station writes are plain SQL already; their own small pool binds parameters and prepares each
  // statement once per connection, instead of the ORM inlining a snapshot's JSON into every text.
  // Three batches in flight (the batcher) plus the outbox's reads and marks.
  // With the ORM pool's deadlines (statement, lock and acquire timeouts).
  const sql = openSqlPool(
    String(orm.config.get('clientUrl')),
    STATION_SQL_POOL_MAX,
    (error) => logger.warn({ err: error }, 'an idle database connection failed; the pool dropped it'),
    orm.config.get('driverOptions'),
  );
  const store = new StationStore(sql);
  // As long as anyone waits for a dispense answer: the rental runner's re-ask (stalePendingMs below).
  const stalePendingMs = env.EJECT_TIMEOUT_MS * 2 + 5000;
  const waiters = new DispenseWaiters(stalePendingMs);
  // A station acknowledges a command at once; the eject timeout bounds how long that may take.
  const acks = new OutcomeWaiters<CommandAck>(env.EJECT_TIMEOUT_MS);

  /** A command reaches the station through the bridge, which answers once the MQTT broker took it (QoS 1). */
  const publishCommand = async (command: Pick<CommandRow, 'sn' | 'kind' | 'payload'>) => {
    await nats.request(subjects.stationCommand(command.sn, command.kind), encode(command.payload), {
      timeout: 5000,
    });
  };

  const host = new StationHost({
    store,
    logger,
    batteryThreshold: options.batteryThreshold ?? 20,
    ejectTimeoutMs: env.EJECT_TIMEOUT_MS,
    outputs: {
      publishCommand,
      onDispenseResult: (sn, result) => {
        // `answered`: a requester (the api's start) got this outcome and applies it itself.
        const answered = waiters.settle(result);
        // An admin's eject (no rental) is answered to the admin only: rentals have nothing to apply.
        if (result.rentalId)
          nats.publish(
            subjects.coreEvent('dispense'),
            encode({ sn, rentalId: result.rentalId, answered, ...toDispenseResponse(result) }),
          );
        options.onDispenseResult?.(sn, result);
      },
      onCommandAck: (_sn, ack) => {
        acks.settle(ack);
      },
      onReturn: (sn, report) => {
        nats.publish(subjects.coreEvent('return'), encode({ sn, ...report }));
        options.onReturn?.(sn, report);
      },
      onMissing: (sn, report: MissingReport) => {
        nats.publish(subjects.coreEvent('missing'), encode({ sn, ...report }));
      },
      onStationChanged: (event) => nats.publish(subjects.coreEvent('station'), encode(event)),
    },
  });

  // Outbox: commands committed but not handed over (crash, or no bridge at the time) go out again,
  // a few at a time and in the background: a slow or absent bridge must not hold up start-up.
  let resending = false;
  const resend = async () => {
    if (resending) return;
    resending = true;
    try {
      // Not those this process is handing over or has handed over (see isSendingOrSent).
      // Only for the stations this instance serves: another's are its to send.
      const unsent = (await store.unsentCommands(env.EJECT_TIMEOUT_MS)).filter(
        (command) => serves(command.sn) && !host.isSendingOrSent(command.id),
      );
      for (let i = 0; i < unsent.length; i += 50) {
        await Promise.all(
          unsent.slice(i, i + 50).map((command) =>
            publishCommand(command)
              .then(() => store.markSent([command.id]))
              .catch(() => undefined),
          ),
        );
      }
    } finally {
      resending = false;
    }
  };
  const outboxTimer = setInterval(() => void resend().catch(() => undefined), 5000);
  outboxTimer.unref();

  const api = serveCoreApi({
    nats,
    partitionOf,
    serves,
    subjects,
    host,
    waiters,
    logger,
    stationExists: async (sn) =>
      (await orm.em.fork().getConnection().execute('select 1 from station where serial_number = ?', [sn]))
        .length > 0,
    acks,
    publishCommand: (sn, kind, payload) => publishCommand({ sn, kind, payload }),
  });
  // The runner listens before the consumer starts: a backlog's returns are published at once, and
  // one published before the runner subscribed would be left to reconciliation.
  const rentals = startRentalRunner({
    orm,
    nats,
    subjects,
    logger,
    stalePendingMs,
    jobsIntervalMs: env.RENTAL_JOBS_INTERVAL_MS ?? 30_000,
    onJobFailed: (job) => {
      metrics.rentalJobFailures.inc({ job });
      options.onRentalJobFailed?.(job);
    },
  });
  const durableName = options.durableName ?? `${env.NATS_PREFIX ? `${env.NATS_PREFIX}_` : ''}station-core`;
  const consumers = new Map<number, { stop(): Promise<void> }>();
  // Each partition is one durable consumer, served by whichever instance holds its lease.
  leases = new PartitionLeases({
    nats,
    bucket: `${env.NATS_PREFIX ? `${env.NATS_PREFIX}_` : ''}CORE_LEASES`,
    instanceId: env.CORE_INSTANCE_ID ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`,
    partitions: partitionCount,
    ttlMs: env.CORE_LEASE_TTL_MS ?? 3000,
    logger,
    acquire: async (partition) => {
      const inPartition = (sn: string) => partitionOf(sn) === partition;
      consumers.set(
        partition,
        await consumeStationEvents({
          nats,
          subjects,
          host,
          store,
          metrics,
          logger,
          maxDeliver: env.CORE_EVENT_MAX_DELIVER ?? 50,
          ackWaitMs: env.CORE_ACK_WAIT_MS,
          durableName: partitionCount === 1 ? durableName : `${durableName}_p${partition}`,
          filterSubject: subjects.partitionEvents(partition),
          onProcessed: options.onProcessed,
        }),
      );
      api.serve(partition);
      // Ejects the previous owner (or this instance before a restart) left open time out here now.
      await host.resumeEjectTimers(inPartition);
      void resend().catch((error: unknown) => logger.error({ err: error }, 'outbox resend failed'));
    },
    release: async (partition) => {
      api.unserve(partition);
      await consumers.get(partition)?.stop();
      consumers.delete(partition);
      await host.drop((sn) => partitionOf(sn) === partition);
    },
  });
  await leases.start();
  const watchdog = startHeartbeatWatchdog({
    serves,
    store,
    host,
    logger,
    intervalMs: env.HEARTBEAT_INTERVAL_MS ?? env.HEARTBEAT_INTERVAL_S * 1000,
    missedLimit: env.HEARTBEAT_MISSED_LIMIT,
  });
  logger.info({ stream: subjects.stationEventsStream }, 'station-core running');

  return {
    host,
    partitions: () => leases?.owned() ?? [],
    metrics,
    store,
    watchdog,
    async stop() {
      watchdog.stop();
      clearInterval(outboxTimer);
      api.stop();
      await rentals.stop();
      await leases?.stop();
      await host.stop();
      await sql.close();
    },
  };
}
