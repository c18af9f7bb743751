import type { NatsConnection } from '@powerbank/messaging';
import {
  type RentalSettledEvent,
  rentalSettledEvent,
  type StationChangedEvent,
  stationChangedEvent,
  subjects as subjectsFor,
} from '@powerbank/protocol';
import {
  LiveBatch,
  type SlotsChange,
  type SlotsWire,
  slotsChange,
  slotsEntry,
} from '@powerbank/protocol/live-batch';
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

/** A slots event carries what changed since the station's previous one (what a slots stream sends). */
type Received = LiveEvent & { change?: SlotsChange };

/** An event as the hub hands it out: `id` orders events of this instance and names them for resuming. */
export type HubEvent = Received & { id: string; receivedAt: number };

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

/** What a stream follows: its topics, optionally one station, and where a reconnecting client left off. */
export interface StreamOptions<T extends LiveTopic> {
  topics: readonly T[];
  sn?: string;
  lastEventId?: string | null;
}

/**
 * Where a stream's batches go, pushed in order on the hub's thread: an in-process reader's queue
 * (`events`) or an SSE connection writing each batch's frame (see live-sse).
 */
export interface StreamSink<T extends LiveTopic> {
  push(batch: HubBatch<T>): void;
  /** The hub closed: nothing comes after the batches pushed so far. */
  end(): void;
}

/** A live stream as the hub holds it: streams with the same `filter` share each tick's batch. */
interface Stream {
  filter: string;
  /** A slots-only stream: its batches go compact (`SlotsWire`), each event the slots that changed. */
  compact: boolean;
  accepts(event: HubEvent): boolean;
  push(batch: HubBatch<LiveTopic>): void;
  end(): void;
}

/** The station an event is about, if any (a settlement names its rental only). */
function snOf(event: LiveEvent): string | undefined {
  return 'sn' in event.data ? event.data.sn : undefined;
}

/**
 * The batch of `events` (non-empty, oldest first) as a stream sends it: for a compact stream, each
 * slots event as the slots that changed since the station's previous event (the wire form; the
 * batch keeps the whole events for readers in process).
 */
function batchOf(events: readonly HubEvent[], compact: boolean): HubBatch<LiveTopic> {
  const whole = events.map(
    (event) => ({ ...event.data, receivedAt: event.receivedAt }) as LiveWire<LiveTopic>,
  );
  const wire: SlotsWire | undefined = compact
    ? {
        slots: events.flatMap((event) =>
          event.topic === 'slots' && event.change
            ? [slotsEntry(event.data.sn, event.receivedAt, event.change)]
            : [],
        ),
      }
    : undefined;
  return { id: events[events.length - 1]!.id, count: events.length, payload: new LiveBatch(whole, wire) };
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
  readonly #lastSlots = new Map<string, LiveSlots['slots']>();
  /**
   * Each station's slots as of the last event handed to the streams (`#flushedSeq`), and when that
   * event came: what a compact stream starts from (`#snapshot`), the next tick's changes apply to it.
   */
  readonly #sentSlots = new Map<string, { slots: LiveSlots['slots']; receivedAt: number }>();
  /** Snapshots made since the last tick, per filter: streams that start in one tick share one. */
  readonly #snapshots = new Map<string, HubBatch<LiveTopic>>();
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
   * Hands `sink` the events of `topics` (optionally of one station), one batch per tick that has
   * any, after the replayable ones newer than `lastEventId` (one batch, pushed before this returns);
   * returns the detach. `sink.end()` when the hub closes. The sink decides what a slow reader costs.
   */
  attach<T extends LiveTopic>(options: StreamOptions<T>, sink: StreamSink<T>): () => void {
    const topics: readonly LiveTopic[] = options.topics;
    const stream: Stream = {
      filter: `${[...topics].sort().join(',')}|${options.sn ?? ''}`,
      compact: topics.length === 1 && topics[0] === 'slots',
      accepts: (event) =>
        topics.includes(event.topic) && (options.sn === undefined || snOf(event) === options.sn),
      push: sink.push.bind(sink) as Stream['push'],
      end: sink.end.bind(sink),
    };
    const replay = this.#replayAfter(options.lastEventId);
    if (stream.compact && !replay.gapless) {
      // Its changes apply to a state this stream does not have: it starts over from the current one.
      const snapshot = this.#snapshot(stream, options.sn);
      if (snapshot.count || options.lastEventId) stream.push(snapshot);
    } else {
      const missed = replay.events.filter(stream.accepts);
      if (missed.length) stream.push(batchOf(missed, stream.compact));
    }
    if (this.#closed) {
      stream.end();
      return () => {};
    }
    this.#streams.add(stream);
    return () => {
      this.#streams.delete(stream);
    };
  }

  /**
   * The batches `attach` would push, as an async generator for in-process readers (and tRPC's own
   * SSE pipeline). Ends when `signal` aborts or the hub closes; throws `SlowClientError` when
   * more than `clientBuffer` events wait unread.
   */
  async *events<T extends LiveTopic>(
    options: StreamOptions<T> & { signal?: AbortSignal },
  ): AsyncGenerator<HubBatch<T>> {
    const queue: HubBatch<T>[] = [];
    let buffered = 0;
    let wake: (() => void) | undefined;
    let failure: SlowClientError | undefined;
    let ended = false;
    const stop = () => wake?.();
    options.signal?.addEventListener('abort', stop, { once: true });
    const detach = this.attach(options, {
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
      end: () => {
        ended = true;
        wake?.();
      },
    });
    try {
      for (;;) {
        if (failure) throw failure;
        const next = queue.shift();
        if (next) {
          buffered -= next.count;
          yield next;
          continue;
        }
        if (ended || options.signal?.aborted) return;
        // Armed before the next batch can arrive: ticks and this wait run on the same thread.
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      detach();
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
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }

  /**
   * The handed-out events after `lastEventId` still held, and whether they are all of them
   * (`gapless`: nothing after it has been dropped from the replay buffer).
   */
  #replayAfter(lastEventId: string | null | undefined): { events: HubEvent[]; gapless: boolean } {
    if (!lastEventId) return { events: [], gapless: false };
    const [boot, seq] = lastEventId.split(':');
    const after = Number(seq);
    if (boot !== this.#boot || !Number.isInteger(after) || after > this.#flushedSeq)
      return { events: [], gapless: false };
    const seqOf = (event: HubEvent) => Number(event.id.slice(event.id.lastIndexOf(':') + 1));
    const oldest = this.#recent[0];
    const gapless = after === this.#flushedSeq || (oldest !== undefined && seqOf(oldest) <= after + 1);
    const events = this.#recent.filter((event) => {
      const n = seqOf(event);
      return n > after && n <= this.#flushedSeq;
    });
    return { events, gapless };
  }

  /**
   * Every station's slots the stream covers, as of the last event handed out, as one `reset` batch
   * (made once per filter and tick). Its id is that event's: a stream resuming from it misses nothing.
   */
  #snapshot(stream: Stream, sn: string | undefined): HubBatch<LiveTopic> {
    let snapshot = this.#snapshots.get(stream.filter);
    if (!snapshot) {
      const stations = sn === undefined ? [...this.#sentSlots] : [[sn, this.#sentSlots.get(sn)] as const];
      const wire: SlotsWire = { slots: [], reset: true };
      for (const [station, sent] of stations) {
        if (sent) wire.slots.push(slotsEntry(station, sent.receivedAt, slotsChange(sent.slots, undefined)!));
      }
      snapshot = {
        id: `${this.#boot}:${this.#flushedSeq}`,
        count: wire.slots.length,
        payload: new LiveBatch<LiveWire<LiveTopic>>([], wire),
      };
      this.#snapshots.set(stream.filter, snapshot);
    }
    return snapshot;
  }

  /** The streams have had `events` (or had none to have them): what later ticks and snapshots start from. */
  #handedOut(events: readonly HubEvent[]): void {
    this.#flushedSeq = this.#seq;
    this.#snapshots.clear();
    for (const event of events) {
      if (event.topic === 'slots')
        this.#sentSlots.set(event.data.sn, { slots: event.data.slots, receivedAt: event.receivedAt });
    }
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

  #eventsOf(isRental: boolean, kind: string, payload: unknown): Received[] {
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
      const events: Received[] = [{ topic: 'station', data: station }];
      if (this.#lastStatus.get(station.sn) !== station.status) {
        this.#lastStatus.set(station.sn, station.status);
        events.push({
          topic: 'status',
          data: { sn: station.sn, status: station.status, lastHeartbeatAt: station.lastHeartbeatAt },
        });
      }
      const change = slotsChange(station.slots, this.#lastSlots.get(station.sn));
      if (change) {
        this.#lastSlots.set(station.sn, station.slots);
        events.push({ topic: 'slots', data: { sn: station.sn, slots: station.slots }, change });
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

  #publish(event: Received): void {
    const hubEvent = { ...event, id: `${this.#boot}:${++this.#seq}`, receivedAt: Date.now() } as HubEvent;
    this.#recent.push(hubEvent);
    if (this.#recent.length > this.options.replay) this.#recent.shift();
    for (const observer of this.#observers) observer(hubEvent);
    if (this.#closed) return;
    if (!this.#streams.size && !this.#pending.length) {
      // No stream to hand it to: handed out at once, as far as replays and snapshots go.
      this.#handedOut([hubEvent]);
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
    this.#handedOut(events);
    const batches = new Map<string, HubBatch<LiveTopic> | null>();
    for (const stream of this.#streams) {
      let batch = batches.get(stream.filter);
      if (batch === undefined) {
        const accepted = events.filter(stream.accepts);
        batch = accepted.length ? batchOf(accepted, stream.compact) : null;
        batches.set(stream.filter, batch);
      }
      if (batch) stream.push(batch);
    }
  }
}
