import type { AppDeps } from '../../deps.ts';
import { reconcileRefunds } from './refund-gateway.ts';

/**
 * Runs `reconcileRefunds` every REFUND_RECONCILE_INTERVAL_MS inside the api
 * process. Not a pg-boss worker (DESIGN.md's home for jobs, not built yet):
 * the sandbox gateway keeps its payments and refunds in the api process's
 * memory, so only the api can ask it what became of a refund; and the job is
 * one small query per tick that is safe with every api worker running it
 * (`skip locked`). When the worker service exists, this moves there for Stripe.
 * Ticks never overlap: the next is scheduled when one ends. Returns a stop
 * that waits for a tick under way.
 */
export function startRefundReconciler(
  deps: AppDeps,
  { every, after } = {
    every: deps.env.REFUND_RECONCILE_INTERVAL_MS,
    after: deps.env.REFUND_RECONCILE_AFTER_MS,
  },
): () => Promise<void> {
  if (every === 0) return async () => undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = async () => {
    try {
      const counts = await reconcileRefunds(deps.orm.em.fork(), deps, new Date(Date.now() - after));
      if (counts.processed || counts.failed || counts.waiting)
        deps.logger.info({ ...counts }, 'refunds reconciled with their gateways');
    } catch (error) {
      deps.logger.warn({ err: error }, 'refund reconciliation run failed');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, every);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
