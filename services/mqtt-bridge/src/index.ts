export { type RunningBridge, startBridge } from './bridge.ts';
export { createBridgeMetrics } from './metrics.ts';
export { createRelay } from './relay.ts';
export { recordRejection } from './system-log.ts';
