import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

export interface BridgeMetrics {
  registry: Registry;
  relayed: Counter<'kind'>;
  rejected: Counter<'reason'>;
}

export function createBridgeMetrics(): BridgeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    relayed: new Counter({
      name: 'bridge_messages_relayed_total',
      help: 'Station messages published to JetStream, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'bridge_messages_rejected_total',
      help: 'Station messages dropped as malformed or unknown, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
