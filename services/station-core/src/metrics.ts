import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

export interface CoreMetrics {
  registry: Registry;
  processed: Counter<'kind'>;
  /** Events given up on: the database refuses them, or their deliveries ran out. */
  deadLettered: Counter<'kind' | 'reason'>;
  /** Events not ours to apply: a serial nobody registered. */
  refused: Counter<'reason'>;
  /** Events handed back to JetStream to be delivered again (a failed write). */
  redelivered: Counter<'kind'>;
  /** Rentals a timer or a stale-start re-ask failed for (retried next run). */
  rentalJobFailures: Counter<'job'>;
}

export function createCoreMetrics(): CoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    processed: counter(
      'station_events_processed_total',
      'Station events persisted and acknowledged, by kind',
      ['kind'],
    ),
    deadLettered: counter(
      'station_events_dead_lettered_total',
      'Station events given up on and logged in SystemLog with their payload, by kind and reason',
      ['kind', 'reason'],
    ),
    refused: counter('station_events_refused_total', 'Station events refused, by reason', ['reason']),
    redelivered: counter(
      'station_events_redelivered_total',
      'Station events handed back for another delivery after a failed write, by kind',
      ['kind'],
    ),
    rentalJobFailures: counter(
      'rental_job_failures_total',
      'Rentals a timer (dueSoon, overdue, lost, returned) or a stale-start re-ask failed for; retried next run',
      ['job'],
    ),
  };
}

/** A counter's total over all its labels (tests, health pages). */
export async function total(counter: Counter<string>): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}
