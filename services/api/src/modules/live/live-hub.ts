import type { NatsConnection } from '@powerbank/messaging';
import {
  type RentalSettledEvent,
  rentalSettledEvent,
  type StationChangedEvent,
  stationChangedEvent,
  subjects as subjectsFor,
} from '@powerbank/protocol';
import { LiveBatch } from '@powerbank/protocol/live-batch';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';

/** A station's status moved (or was first heard of by this instance). */
export interface LiveStationStatus {
  sn: string;
  status: StationChangedEvent['status'];
  lastHeartbeatAt: number | null;
}

/** A station's slots after a change (whole, not a diff). */
export interface LiveSlots {
  sn: string;
  slots: StationChangedEvent['slots'];
}

/** What happened to a rental: core's dispense/return/missing reports and the settlement. */
export type LiveRental =
  | { kind: 'dispense' | 'return' | 'missing'; sn: string; detail: Record<string, unknown> }
  | { kind: 'settled'; rental: RentalSettledEvent };

/** What each topic carries. */
export interface LiveData {
  status: LiveStationStatus;
  slots: LiveSlots;
  rental: LiveRental;
  /** Every station change, heartbeats included (the GBFS feed's source; not streamed to clients). */
  station: StationChangedEvent;
}
export type LiveTopic = keyof LiveData;
export type LiveEvent = { [T in LiveTopic]: { topic: T; data: LiveData[T] } }[LiveTopic];

/** An event as the hub hands it out: `id` orders events of this instance and names them for resuming. */
export type HubEvent = LiveEvent & { id: string; receivedAt: number };

/** What a live stream carries of an event: its data and when this instance received it. */
export type LiveWire<T extends LiveTopic> = LiveData[T] & { receivedAt: number };

/**
 * One tick's events for one stream: `id` is its last event's (what a client resumes from),
 * `payload` the events as the stream sends them, the same object for every stream with the
 * same filter (its JSON is made once: see `LiveBatch`).
 */
export interface HubBatch<T extends LiveTopic> {
  id: string;
  count: number;
  payload: LiveBatch<LiveWire<T>>;
}

/** Past its buffer, a client that does not keep up is cut off (it reconnects and resumes by id). */
export class SlowClientError extends Error {
  constructor(readonly buffered: number) {
    super(`live stream cut: ${buffered} events waiting for a client that does not read them`);
    this.name = 'SlowClientError';
  }
}

/** A live stream as the hub holds it: streams with the same `filter` share each tick's batch. */
interface Stream {
  filter: string;
  accepts(event: HubEvent): boolean;
  push(batch: HubBatch<LiveTopic>): void;
  /** Lets a waiting stream look again (closed, aborted). */
  wake(): void;
}

/** The station an event is about, if any (a settlement names its rental only). */
function snOf(event: LiveEvent): string | undefined {
  return 'sn' in event.data ? event.data.sn : undefined;
}

/** The batch of `events` (non-empty, oldest first) as a stream sends it. */
function batchOf(events: readonly HubEvent[]): HubBatch<LiveTopic> {
  const wire = events.map(
    (event) => ({ ...event.data, receivedAt: event.receivedAt }) as LiveWire<LiveTopic>,
  );
  return { id: events[events.length - 1]!.id, count: events.length, payload: new LiveBatch(wire) };
}

export interface LiveHubOptions {
  nats: NatsConnection;
  prefix: string;
  logger: Logger;
  /** Events one client may have waiting before it is cut off. */
  clientBuffer: number;
  /** Recent events kept to resume a reconnecting client from its last id. */
  replay: number;
  /**
   * How long events gather before the streams get them, as one message per stream (ms): the
   * first event after a quiet spell waits at most this long. Fewer, larger messages are what let
   * one process feed a thousand streams (tRPC's per-message work is per stream).
   */
  tickMs: number;
}

const decoder = new TextDecoder();

/**
 * This api instance's one NATS subscription to what core and the rental runner publish
 * (`core.evt.*`, `rental.evt.*`), fanned out in process to every live client and to
 * in-memory readers (the GBFS feed): many open consoles add no NATS subscription and no
 * database read. Streams get the events of each tick (`tickMs`) as one batch, built once
 * per distinct filter (topics and station) and shared by every stream with that filter;
 * in-memory readers get each event at once. Ids are this instance's (a boot id and a
 * sequence): a client resuming with another instance's id gets no replay, only what comes next.
 */
export class LiveHub {
  readonly #streams = new Set<Stream>();
  readonly #observers = new Set<(event: HubEvent) => void>();
  readonly #recent: HubEvent[] = [];
  /** Events received since the last tick, for the streams. */
  #pending: HubEvent[] = [];
  #tick: ReturnType<typeof setTimeout> | undefined;
  /** The last event handed to the streams: replays stop there (the rest comes with the next tick). */
  #flushedSeq = 0;
  readonly #boot = uuidv7();
  /** Last status and slots seen per station: status and slot streams carry changes only. */
  readonly #lastStatus = new Map<string, string>();
  readonly #lastSlots = new Map<string, string>();
  #seq = 0;
  #subscriptions = 0;
  #closed = false;

  constructor(private readonly options: LiveHubOptions) {
    const subjects = subjectsFor(options.prefix);
    const subscription = options.nats.subscribe(subjects.liveEvents);
    this.#subscriptions++;
    void (async () => {
      for await (const message of subscription) this.#receive(message.subject, message.data);
    })()
      .catch((error: unknown) => options.logger.error({ err: error }, 'live hub subscription failed'))
      .finally(() => this.close());
  }

  /** NATS subscriptions this hub made: one, however many clients listen. */
  get natsSubscriptions(): number {
    return this.#subscriptions;
  }

  /** Open streams and in-memory readers. */
  get listeners(): number {
    return this.#streams.size + this.#observers.size;
  }

  /**
   * The events of `topics` (optionally of one station), one batch per tick that has any, after
   * the replayable ones newer than `lastEventId` (one batch). Ends when `signal` aborts or the hub
   * closes; throws `SlowClientError` when more than `clientBuffer` events wait unread.
   */
  async *events<T extends LiveTopic>(options: {
    topics: readonly T[];
    sn?: string;
    lastEventId?: string | null;
    signal?: AbortSignal;
  }): AsyncGenerator<HubBatch<T>> {
    const queue: HubBatch<LiveTopic>[] = [];
    let buffered = 0;
    let wake: (() => void) | undefined;
    let failure: SlowClientError | undefined;
    const topics: readonly LiveTopic[] = options.topics;
    const stream: Stream = {
      filter: `${[...topics].sort().join(',')}|${options.sn ?? ''}`,
      accepts: (event) =>
        topics.includes(event.topic) && (options.sn === undefined || snOf(event) === options.sn),
      wake: () => wake?.(),
      push: (batch) => {
        if (failure) return;
        // Counted before this tick's batch: a reader that keeps up is never cut for one busy tick.
        if (buffered >= this.options.clientBuffer) {
          failure = new SlowClientError(buffered);
          queue.length = 0;
        } else {
          queue.push(batch);
          buffered += batch.count;
        }
        wake?.();
      },
    };
    const stop = () => wake?.();
    options.signal?.addEventListener('abort', stop, { once: true });
    const missed = this.#replayAfter(options.lastEventId).filter(stream.accepts);
    if (missed.length) stream.push(batchOf(missed));
    this.#streams.add(stream);
    try {
      for (;;) {
        if (failure) throw failure;
        const next = queue.shift();
        if (next) {
          buffered -= next.count;
          yield next as HubBatch<T>;
          continue;
        }
        if (this.#closed || options.signal?.aborted) return;
        // Armed before the next batch can arrive: ticks and this wait run on the same thread.
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.#streams.delete(stream);
      options.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * Calls `callback` with every event from now on, in process and synchronously (in-memory
   * readers such as the GBFS feed, which keep up by construction); returns the unsubscribe.
   */
  observe(callback: (event: HubEvent) => void): () => void {
    this.#observers.add(callback);
    return () => this.#observers.delete(callback);
  }

  /** Ends every stream once its waiting events are read (the NATS connection closing does the same). */
  close(): void {
    this.#flush();
    this.#closed = true;
    for (const stream of this.#streams) stream.wake();
  }

  #replayAfter(lastEventId: string | null | undefined): HubEvent[] {
    if (!lastEventId) return [];
    const [boot, seq] = lastEventId.split(':');
    if (boot !== this.#boot) return [];
    const after = Number(seq);
    return this.#recent.filter((event) => {
      const n = Number(event.id.split(':')[1]);
      return n > after && n <= this.#flushedSeq;
    });
  }

  #receive(subject: string, data: Uint8Array): void {
    const kind = subject.slice(subject.lastIndexOf('.') + 1);
    const isRental = subject.endsWith(`rental.evt.${kind}`);
    let payload: unknown;
    try {
      payload = JSON.parse(decoder.decode(data));
    } catch (error) {
      this.options.logger.warn({ err: error, subject }, 'live hub: event not JSON, dropped');
      return;
    }
    for (const event of this.#eventsOf(isRental, kind, payload)) this.#publish(event);
  }

  #eventsOf(isRental: boolean, kind: string, payload: unknown): LiveEvent[] {
    if (isRental) {
      const parsed = rentalSettledEvent.safeParse(payload);
      return kind === 'settled' && parsed.success
        ? [{ topic: 'rental', data: { kind: 'settled', rental: parsed.data } }]
        : [];
    }
    if (kind === 'station') {
      const parsed = stationChangedEvent.safeParse(payload);
      if (!parsed.success) return [];
      const station = parsed.data;
      const events: LiveEvent[] = [{ topic: 'station', data: station }];
      if (this.#lastStatus.get(station.sn) !== station.status) {
        this.#lastStatus.set(station.sn, station.status);
        events.push({
          topic: 'status',
          data: { sn: station.sn, status: station.status, lastHeartbeatAt: station.lastHeartbeatAt },
        });
      }
      const slots = JSON.stringify(station.slots);
      if (this.#lastSlots.get(station.sn) !== slots) {
        this.#lastSlots.set(station.sn, slots);
        events.push({ topic: 'slots', data: { sn: station.sn, slots: station.slots } });
      }
      return events;
    }
    if (kind === 'dispense' || kind === 'return' || kind === 'missing') {
      const { sn, ...detail } = payload as { sn?: unknown };
      if (typeof sn !== 'string') return [];
      return [{ topic: 'rental', data: { kind, sn, detail } }];
    }
    return [];
  }

  #publish(event: LiveEvent): void {
    const hubEvent = { ...event, id: `${this.#boot}:${++this.#seq}`, receivedAt: Date.now() } as HubEvent;
    this.#recent.push(hubEvent);
    if (this.#recent.length > this.options.replay) this.#recent.shift();
    for (const observer of this.#observers) observer(hubEvent);
    if (this.#closed) return;
    if (!this.#streams.size && !this.#pending.length) {
      // No stream to hand it to: handed out at once, as far as replays go.
      this.#flushedSeq = this.#seq;
      return;
    }
    this.#pending.push(hubEvent);
    this.#tick ??= setTimeout(() => this.#flush(), this.options.tickMs);
  }

  /** Hands the tick's events to the streams: one batch per distinct filter that accepts any. */
  #flush(): void {
    clearTimeout(this.#tick);
    this.#tick = undefined;
    const events = this.#pending;
    if (!events.length) return;
    this.#pending = [];
    this.#flushedSeq = this.#seq;
    const batches = new Map<string, HubBatch<LiveTopic> | null>();
    for (const stream of this.#streams) {
      let batch = batches.get(stream.filter);
      if (batch === undefined) {
        const accepted = events.filter(stream.accepts);
        batch = accepted.length ? batchOf(accepted) : null;
        batches.set(stream.filter, batch);
      }
      if (batch) stream.push(batch);
    }
  }
}
