import type { MikroORM } from '@mikro-orm/postgresql';
import { runPrepared } from '@powerbank/db';
import { isDomainError } from '@powerbank/domain';
import type { NatsConnection } from '@powerbank/messaging';
import { dispenseResponse, type RentalSettledEvent, type Subjects } from '@powerbank/protocol';
import {
  applyDispenseOutcome,
  applyPowerBankReturn,
  RENTAL_STATUS,
  type RentalJob,
  type RentalRecord,
  runRentalTimers,
  type StalePending,
  stalePendingRentals,
} from '@powerbank/rentals';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { z } from 'zod';

const returnEvent = z.object({
  sn: z.string(),
  slot: z.number().int(),
  powerBankSerial: z.string(),
  /** When the station put it there (epoch ms, bounded by the receive time): what the rental is billed to. */
  at: z.number().int().positive(),
});
const dispenseEvent = z
  .object({ sn: z.string(), rentalId: z.string().uuid(), answered: z.boolean().optional() })
  .passthrough();

const decode = (data: Uint8Array): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
};

export interface RentalRunnerOptions {
  orm: MikroORM;
  nats: NatsConnection;
  subjects: Subjects;
  logger: Logger;
  /** A start still pending this long is asked again (same command id); above the eject timeout. */
  stalePendingMs: number;
  /** How often the timers run (due soon, overdue, lost, missed returns, stale starts). */
  jobsIntervalMs: number;
  /**
   * An outcome that a requester got as its answer is that requester's to apply; the runner
   * applies it only if the rental is still waiting this long afterwards (the requester gave up
   * or died in between).
   */
  answeredGraceMs?: number;
  /** Stale starts asked again at once (each waits up to `stalePendingMs` for its answer). */
  reaskConcurrency?: number;
  /** A rental's timer failed (logged as a warning too); counted by the caller's metrics. */
  onJobFailed?: (job: RentalJob | 'reask') => void;
}

/**
 * The rental actors' runtime. A rental's snapshot is its `Rental` row (status
 * plus figures) and the pure rental machine decides each step, so nothing
 * lives only in memory: a restart resumes every rental from its row. This
 * runner applies what stations report — every dispense outcome (a late
 * success included) and every return — and runs the timers. The
 * subscriptions share a queue group, so one instance handles each message;
 * the row lock and the machine make a second delivery harmless anyway.
 */
export function startRentalRunner(options: RentalRunnerOptions): { stop(): Promise<void> } {
  const { orm, nats, subjects, logger } = options;
  // A station's outcome or return is applied with the ORM's own entity manager, not a fork of it:
  // the rental path reads and writes plain records with prepared queries (no identity map), and
  // its transaction (`applyRentalEvent`) runs in a fork of its own. (Forks were ~3% of
  // station-core's CPU, two per event.)
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const graceTimers = new Set<NodeJS.Timeout>();
  const stillWaiting = async (rentalId: string) => {
    const [rental] = await runPrepared(orm.em, RENTAL_STATUS, { id: rentalId });
    return rental?.status === 'pending' || rental?.status === 'dispensing';
  };

  const onDispense = nats.subscribe(subjects.coreEvent('dispense'), {
    queue: 'rental-runner',
    callback: (_err, msg) => {
      const raw = decode(msg.data);
      const meta = dispenseEvent.safeParse(raw);
      if (!meta.success) return;
      const { sn: _sn, rentalId, answered, ...rest } = meta.data;
      const outcome = dispenseResponse.safeParse(rest);
      if (!outcome.success) return;
      const apply = () =>
        applyDispenseOutcome(orm.em, rentalId, outcome.data).catch((error: unknown) => {
          // A dispense for no rental row (station-core tests, admin ejects) is not ours.
          if (isDomainError(error) && error.code === 'NOT_FOUND') {
            logger.debug({ err: error, rentalId }, 'dispense outcome for no rental');
          } else logger.warn({ err: error, rentalId }, 'dispense outcome not applied');
        });
      if (!answered) {
        track(apply());
        return;
      }
      // Applying it here as well would only race the requester for the row lock to change nothing.
      const timer = setTimeout(() => {
        graceTimers.delete(timer);
        track(
          stillWaiting(rentalId)
            .then((waiting) => (waiting ? apply() : undefined))
            .catch((error: unknown) =>
              logger.error({ err: error, rentalId }, 'dispense outcome check failed'),
            ),
        );
      }, options.answeredGraceMs ?? 2000);
      timer.unref();
      graceTimers.add(timer);
    },
  });

  /** Announces a rental a return has just settled (committed); a return that left it otherwise is not. */
  const publishSettled = (rental: RentalRecord) => {
    if (rental.status !== 'settled') return;
    const event: RentalSettledEvent = {
      rentalId: rental.id,
      userId: rental.userId,
      status: rental.status,
      currency: rental.currency,
      settledAmount: rental.settledAmount,
      dueAmount: rental.dueAmount,
    };
    nats.publish(subjects.rentalEvent('settled'), JSON.stringify(event));
  };

  const onReturn = nats.subscribe(subjects.coreEvent('return'), {
    queue: 'rental-runner',
    callback: (_err, msg) => {
      const report = returnEvent.safeParse(decode(msg.data));
      if (!report.success) {
        logger.warn({ detail: report.error.message }, 'return event refused; reconciliation will find it');
        return;
      }
      track(
        applyPowerBankReturn(orm.em, report.data)
          .then((result) => {
            if (result?.applied) publishSettled(result.rental);
          })
          .catch((error: unknown) => logger.error({ err: error, report: report.data }, 'return not applied')),
      );
    },
  });

  const jobFailed = (job: RentalJob | 'reask', rentalId: string, error: unknown) => {
    logger.warn({ err: error, job, rentalId }, 'rental job failed; the next run tries again');
    options.onJobFailed?.(job);
  };

  // Stopping: re-asks not started are not started, and one waiting for its answer stops waiting
  // (the next instance's stale-start job asks again); database work under way is finished.
  let stopping = false;
  let markStopped = () => {};
  const stopped = new Promise<undefined>((resolve) => {
    markStopped = () => resolve(undefined);
  });

  /** One stale start asked again with its command id; its answer, if any, applied. */
  const reask = async (stale: StalePending) => {
    if (stopping) return;
    const request = nats.request(
      subjects.coreDispense,
      new TextEncoder().encode(
        JSON.stringify({ stationSn: stale.stationSn, rentalId: stale.rentalId, commandId: stale.commandId }),
      ),
      { timeout: options.stalePendingMs },
    );
    // Stopped first: the request's later timeout is handled by the race, and nobody's failure.
    const reply = await Promise.race([request, stopped]);
    if (!reply) return;
    const outcome = dispenseResponse.parse(decode(reply.data));
    await applyDispenseOutcome(orm.em.fork(), stale.rentalId, outcome);
  };
  // Each re-ask may wait a whole eject timeout: asked one after another, 200 of them would take hours.
  const limit = pLimit(options.reaskConcurrency ?? 20);
  const askAgain = async () => {
    const stale = await stalePendingRentals(orm.em.fork(), options.stalePendingMs);
    await Promise.all(
      stale.map((one) =>
        limit(() => reask(one).catch((error: unknown) => jobFailed('reask', one.rentalId, error))),
      ),
    );
  };

  /** The run under way, if any: runs never overlap, and stopping waits for this one. */
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        // A return the event missed and reconciliation found is announced like any other.
        await runRentalTimers(orm.em.fork(), new Date(), {
          onReturned: publishSettled,
          onFailed: ({ job, rentalId, error }) => jobFailed(job, rentalId, error),
        });
        await askAgain();
      } catch (error) {
        logger.error({ err: error }, 'rental jobs failed');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(tick, options.jobsIntervalMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      // Left to the stale-start job of whichever instance runs next, as are re-asks not started yet.
      for (const grace of graceTimers) clearTimeout(grace);
      stopping = true;
      markStopped();
      onDispense.unsubscribe();
      onReturn.unsubscribe();
      await Promise.allSettled([...pending, running]);
    },
  };
}
