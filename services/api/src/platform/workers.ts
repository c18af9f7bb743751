import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface WorkerPlan {
  workers: number;
  poolMin: number;
  poolMax: number;
}

/**
 * Each worker's share of the connection pool: the api as a whole keeps the
 * configured size (Postgres's max_connections is shared with every service).
 */
export function workerPoolShare(plan: WorkerPlan): { DB_POOL_MIN: string; DB_POOL_MAX: string } {
  return {
    DB_POOL_MIN: String(Math.ceil(plan.poolMin / plan.workers)),
    DB_POOL_MAX: String(Math.max(1, Math.ceil(plan.poolMax / plan.workers))),
  };
}

/** How long a worker that died right after its start waits before the next try, doubling up to a minute. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 60_000;
/** A worker that lived this long counts as a healthy start again. */
const STABLE_AFTER_MS = 30_000;

/**
 * The cluster primary: forks the workers, which share the listening port
 * (node:cluster hands connections round-robin), restarts one that dies, and on
 * SIGTERM/SIGINT asks every worker to shut down and exits when they have.
 */
export function runPrimary(plan: WorkerPlan, logger: Logger): void {
  const env = workerPoolShare(plan);
  let stopping = false;
  let cut = false;
  let delay = RESTART_DELAY_MS;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork(env);
    startedAt.set(worker, Date.now());
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      // A worker that had to cut work (exit 1: its shutdown deadline passed) makes the api's exit say so;
      // one the signal ended before it was serving (code null) had nothing to cut.
      if (code) cut = true;
      if (!startedAt.size) process.exit(cut ? 1 : 0);
      return;
    }
    // A worker that keeps dying soon after its start is retried ever more slowly.
    if (lived > STABLE_AFTER_MS) delay = RESTART_DELAY_MS;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'api worker died');
    setTimeout(fork, delay);
    delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: startedAt.size }, 'stopping api workers');
    if (!startedAt.size) process.exit(0);
    for (const worker of startedAt.keys()) worker.process.kill(signal);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  for (let i = 0; i < plan.workers; i++) fork();
  logger.info({ workers: plan.workers, pool: env }, 'api primary started');
}

export const isClusterPrimary = () => cluster.isPrimary;
