import type { SSEClientOptions } from '@trpc/server/unstable-core-do-not-import';
import type { Logger } from 'pino';
import type { HubBatch, LiveTopic, StreamSink } from './live-hub.ts';
import { sseFrames } from './live-sse-frames.ts';
import type { FrameOutput } from './live-sse-output.ts';
import type { LiveSubscription } from './live-subscription.ts';

export interface LiveSseOptions {
  /** The transformer's serialisation (superjson), as tRPC applies it to each message. */
  serialize(value: unknown): unknown;
  /** Sent in every stream's `connected` frame (tRPC's `sse.client`). */
  client: SSEClientOptions;
  /** A stream silent this long gets a ping (tRPC's `sse.ping`); none when undefined. */
  pingMs: number | undefined;
  /** Events a connection may have waiting past what the OS holds before it is dropped. */
  clientBuffer: number;
}

const encoder = new TextEncoder();

/**
 * The live streams served over SSE by this instance. Each hub tick's batch becomes ONE frame,
 * encoded once to bytes and written as the same buffer to every connection that follows it
 * (`#frameOf`): per connection and tick what remains is one socket write. tRPC's own pipeline
 * did per stream and message an async-generator chain, a serialisation, a web-stream transform,
 * a text encoding and node-server's pump (~160 µs of CPU a message at 1,000 streams).
 *
 * A client that does not read does not hold anyone up (a write never waits) nor grow memory
 * without bound: once more than `clientBuffer` events wait in its connection beyond what the OS
 * holds, the connection is dropped, the bytes waiting with it; its EventSource reconnects with
 * the last id it read and the hub resumes it (the events it missed, or the state anew).
 */
export class LiveSseConnections {
  readonly #open = new Set<Connection>();
  /** Since start: frames written (every event, ping and return of every connection), connections dropped. */
  readonly stats = { framesWritten: 0, dropped: 0 };
  /** Each batch's frame, made on its first write; batches are shared per tick and filter. */
  readonly #frames = new WeakMap<HubBatch<LiveTopic>, Uint8Array>();
  readonly #connected: Uint8Array;
  readonly #ping = encoder.encode(sseFrames.ping);
  readonly #return = encoder.encode(sseFrames.return);
  #pinger: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: LiveSseOptions) {
    this.#connected = encoder.encode(sseFrames.connected(options.client));
  }

  /** Open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** Streams `subscription` to `output`: the `connected` frame, then the hub's batches. */
  serve(output: FrameOutput, subscription: LiveSubscription<LiveTopic>, logger: Logger): void {
    output.write(this.#connected);
    const connection = new Connection(output, this, logger);
    this.#open.add(connection);
    output.onClose(() => {
      connection.close();
      this.#open.delete(connection);
      if (!this.#open.size) this.#stopPings();
    });
    this.#startPings();
    connection.attach(subscription);
  }

  /** Answers with `error` (the serialised error shape) after the `connected` frame, and ends. */
  refuse(output: FrameOutput, error: unknown): void {
    output.write(this.#connected);
    output.write(encoder.encode(sseFrames.error(JSON.stringify(this.options.serialize(error)))));
    output.end();
  }

  frameOf(batch: HubBatch<LiveTopic>): Uint8Array {
    let frame = this.#frames.get(batch);
    if (!frame) {
      frame = encoder.encode(
        sseFrames.tracked(batch.id, JSON.stringify(this.options.serialize(batch.payload))),
      );
      this.#frames.set(batch, frame);
    }
    return frame;
  }

  get clientBuffer(): number {
    return this.options.clientBuffer;
  }

  get returnFrame(): Uint8Array {
    return this.#return;
  }

  #startPings(): void {
    const pingMs = this.options.pingMs;
    if (this.#pinger || !pingMs) return;
    // Checked every half interval, a stream pinged once silent for half of it: never silent for
    // a whole interval, as with tRPC's own pings (the client reconnects after a longer silence).
    const every = pingMs / 2;
    this.#pinger = setInterval(() => {
      const silentSince = performance.now() - every;
      for (const connection of this.#open) connection.pingIfSilentSince(silentSince, this.#ping);
    }, every);
    this.#pinger.unref();
  }

  #stopPings(): void {
    clearInterval(this.#pinger);
    this.#pinger = undefined;
  }
}

/** One client's stream: the hub pushes each batch, the connection writes its shared frame. */
class Connection implements StreamSink<LiveTopic> {
  /** Events written since the output last had nothing queued (what this client has not taken). */
  #backlog = 0;
  #lastWrite = performance.now();
  #detach: (() => void) | undefined;
  #closed = false;

  constructor(
    private readonly output: FrameOutput,
    private readonly connections: LiveSseConnections,
    private readonly logger: Logger,
  ) {}

  attach(subscription: LiveSubscription<LiveTopic>): void {
    const detach = subscription.hub.attach(subscription.options, this);
    // The hub may have ended it already (closed) or it may have been dropped while attaching.
    if (this.#closed) detach();
    else this.#detach = detach;
  }

  push(batch: HubBatch<LiveTopic>): void {
    if (this.#closed) return;
    if (this.output.queuedBytes() === 0) this.#backlog = 0;
    // Counted before this batch: a client that keeps up is never dropped for one busy tick.
    if (this.#backlog >= this.connections.clientBuffer) {
      this.connections.stats.dropped += 1;
      this.logger.warn(
        { buffered: this.#backlog },
        'live stream dropped: its client does not read (it reconnects and resumes)',
      );
      this.close();
      this.output.destroy();
      return;
    }
    this.#backlog += batch.count;
    this.#write(this.connections.frameOf(batch));
  }

  /** The hub closed: tRPC's `return` event (the client stops), then the end of the response. */
  end(): void {
    if (this.#closed) return;
    this.#write(this.connections.returnFrame);
    this.close();
    this.output.end();
  }

  pingIfSilentSince(since: number, ping: Uint8Array): void {
    if (!this.#closed && this.#lastWrite <= since) this.#write(ping);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach?.();
  }

  #write(frame: Uint8Array): void {
    this.connections.stats.framesWritten += 1;
    this.#lastWrite = performance.now();
    this.output.write(frame);
  }
}
