import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';

export type { NatsConnection } from '@nats-io/transport-node';

/**
 * Connects with unlimited reconnects and jittered backoff: a NATS restart
 * pauses the service, it does not kill it. No async traces: the client would
 * otherwise build an Error (a captured stack) for every request and timer in
 * case it fails, on every dispense and command.
 */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    waitOnFirstConnect: false,
    noAsyncTraces: true,
  });
}

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Window in which a repeated `Nats-Msg-Id` is dropped by the server. */
  duplicateWindowMs?: number;
  maxAgeMs?: number;
}

/** Creates the stream if missing, or brings its subjects/windows up to date. Safe to call from every instance. */
export async function ensureStream(nc: NatsConnection, spec: StreamSpec): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: spec.name,
    subjects: spec.subjects,
    duplicate_window: nanos(spec.duplicateWindowMs ?? 120_000),
    max_age: nanos(spec.maxAgeMs ?? 7 * 24 * 3_600_000),
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
