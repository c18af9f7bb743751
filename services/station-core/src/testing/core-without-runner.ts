import { openSqlPool } from '@powerbank/db';
import type { ReturnReport } from '@powerbank/machines';
import { subjects as subjectsFor } from '@powerbank/protocol';
import pino from 'pino';
import { consumeStationEvents } from '../event-consumer.ts';
import { createCoreMetrics } from '../metrics.ts';
import { StationHost } from '../station-host.ts';
import { StationStore } from '../station-store.ts';
import { type CoreHarness, EJECT_TIMEOUT_MS } from './core-harness.ts';

/**
 * Station-core's event path alone, on the harness's stream, database and
 * durable consumer (stop the harness's core first): the actors apply and
 * persist station events as ever, but the return reports they decide reach
 * no rental runner — what a return looks like to the rentals when its
 * `core.evt.return` was missed. The reports are kept for the test to read.
 */
export async function startCoreWithoutRentalRunner(h: CoreHarness) {
  const logger = pino({ level: 'silent' });
  const sql = openSqlPool(h.db.db.url, 2);
  const store = new StationStore(sql);
  const dropped: ReturnReport[] = [];
  const host = new StationHost({
    store,
    logger,
    batteryThreshold: 20,
    ejectTimeoutMs: EJECT_TIMEOUT_MS,
    outputs: {
      publishCommand: async () => {},
      onDispenseResult: () => {},
      onReturn: (_sn, report) => dropped.push(report),
      onMissing: () => {},
      onStationChanged: () => {},
    },
  });
  const subjects = subjectsFor(h.prefix);
  const consumer = await consumeStationEvents({
    nats: h.nats,
    subjects,
    filterSubject: subjects.partitionEvents(0),
    host,
    store,
    metrics: createCoreMetrics(),
    logger,
    durableName: `${h.prefix}_station-core`,
    maxDeliver: 5,
  });
  return {
    /** The return reports no runner heard. */
    dropped,
    async stop() {
      await consumer.stop();
      await host.stop();
      await sql.close();
    },
  };
}
