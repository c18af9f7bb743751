import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { urlList } from '@powerbank/config';

export type { NatsConnection } from '@nats-io/transport-node';

/**
 * Connects with unlimited reconnects and jittered backoff: a NATS restart
 * pauses the service, it does not kill it. `url` is one server or a comma list
 * of a cluster's nodes: the client starts on any of them and, when its node
 * goes away, reconnects to another (and to the nodes the cluster announces).
 * No async traces: the client would otherwise build an Error (a captured
 * stack) for every request and timer in case it fails, on every dispense and
 * command.
 */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: urlList(url),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    waitOnFirstConnect: false,
    noAsyncTraces: true,
  });
}

/**
 * Pull-consumer timing that rides out the loss of a cluster node within seconds. A pull request
 * lives on the node that had the consumer's leader; when that node dies the client only notices
 * by missed idle heartbeats (two of them), then re-checks the consumer and, if that check fails
 * while the cluster elects a new leader, waits `expires` before trying again. At nats.js's
 * defaults (30 s expiry, 15 s heartbeat) a consumer sat idle for about a minute; at these, a few
 * seconds. The cost: one pull request per consumer every 2 s when idle.
 */
export const failoverConsumeOptions = { expires: 2_000, idle_heartbeat: 1_000 } as const;

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Window in which a repeated `Nats-Msg-Id` is dropped by the server. */
  duplicateWindowMs?: number;
  maxAgeMs?: number;
  /** Copies the cluster keeps (default: `streamReplicas` of the connection's server). */
  replicas?: number;
}

/**
 * Replicas for a stream on the server `nc` is connected to: 3 in a cluster (1 less each below three
 * nodes), so it survives the loss of one node with a quorum; 1 on a single server. Changing it
 * later is a stream update (`ensureStream` applies it), not a new stream.
 */
export function streamReplicas(nc: NatsConnection): number {
  const info = nc.info;
  if (!info?.cluster) return 1;
  return Math.max(1, Math.min(3, info.connect_urls?.length ?? 1));
}

/**
 * Creates the stream if missing, or brings its subjects/windows/replicas up to date. Safe to call
 * from every instance. A cluster that has just started answers JetStream requests only once its
 * nodes have elected a meta leader (a few seconds): until then requests time out or find no
 * responder, and are retried for up to `readyTimeoutMs`.
 */
export async function ensureStream(
  nc: NatsConnection,
  spec: StreamSpec,
  readyTimeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    try {
      return await applyStream(nc, spec);
    } catch (error) {
      if (!isNotReady(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function isNotReady(error: unknown): boolean {
  const e = error as { name?: string; code?: unknown; message?: string };
  return (
    e?.name === 'TimeoutError' ||
    e?.code === '503' ||
    /timeout|no responders|jetstream not (enabled|ready)|insufficient resources/i.test(e?.message ?? '')
  );
}

async function applyStream(nc: NatsConnection, spec: StreamSpec): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: spec.name,
    subjects: spec.subjects,
    duplicate_window: nanos(spec.duplicateWindowMs ?? 120_000),
    max_age: nanos(spec.maxAgeMs ?? 7 * 24 * 3_600_000),
    num_replicas: spec.replicas ?? streamReplicas(nc),
  };
  try {
    await jsm.streams.info(spec.name);
    await jsm.streams.update(spec.name, config);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    await jsm.streams.add(config);
  }
}

function isStreamNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; message?: string; api_error?: { err_code?: number } };
  return e?.api_error?.err_code === 10059 || /stream not found/i.test(e?.message ?? '');
}

/** True when the connection is open and the server answers a round trip. */
export async function natsIsUp(nc: NatsConnection | undefined, timeoutMs = 1000): Promise<boolean> {
  if (!nc || nc.isClosed()) return false;
  try {
    await Promise.race([
      nc.flush(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
