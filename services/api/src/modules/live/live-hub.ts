import type { NatsConnection } from '@powerbank/messaging';
import {
  type RentalSettledEvent,
  rentalSettledEvent,
  type StationChangedEvent,
  stationChangedEvent,
  subjects as subjectsFor,
} from '@powerbank/protocol';
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
  /** Every station change, written heartbeats included (the GBFS feed's source; not streamed to clients). */
  station: StationChangedEvent;
}
export type LiveTopic = keyof LiveData;
export type LiveEvent = { [T in LiveTopic]: { topic: T; data: LiveData[T] } }[LiveTopic];

/** An event as the hub hands it out: `id` orders events of this instance and names them for resuming. */
export type HubEvent = LiveEvent & { id: string; receivedAt: number };

/** Past its buffer, a client that does not keep up is cut off (it reconnects and resumes by id). */
export class SlowClientError extends Error {
  constructor(readonly buffered: number) {
    super(`live stream cut: ${buffered} events waiting for a client that does not read them`);
    this.name = 'SlowClientError';
  }
}

interface Listener {
  accepts(event: HubEvent): boolean;
  push(event: HubEvent): void;
  /** Lets a waiting stream look again (closed, aborted). */
  wake(): void;
}

/** The station an event is about, if any (a settlement names its rental only). */
function snOf(event: LiveEvent): string | undefined {
  return 'sn' in event.data ? event.data.sn : undefined;
}

export interface LiveHubOptions {
  nats: NatsConnection;
  prefix: string;
  logger: Logger;
  /** Events one client may have waiting before it is cut off. */
  clientBuffer: number;
  /** Recent events kept to resume a reconnecting client from its last id. */
  replay: number;
}

const decoder = new TextDecoder();

/**
 * This api instance's one NATS subscription to what core and the rental runner publish
 * (`core.evt.*`, `rental.evt.*`), fanned out in process to every live client and to
 * in-memory readers (the GBFS feed): many open consoles add no NATS subscription and no
 * database read. Ids are this instance's (a boot id and a sequence): a client resuming
 * with another instance's id gets no replay, only what comes next.
 */
export class LiveHub {
  readonly #listeners = new Set<Listener>();
  readonly #recent: HubEvent[] = [];
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

  get listeners(): number {
    return this.#listeners.size;
  }

  /**
   * The events of `topics` (optionally of one station) from now on, after the replayable
   * ones newer than `lastEventId`. Ends when `signal` aborts or the hub closes; throws
   * `SlowClientError` when more than `clientBuffer` events wait unread.
   */
  async *events(options: {
    topics: readonly LiveTopic[];
    sn?: string;
    lastEventId?: string | null;
    signal?: AbortSignal;
  }): AsyncGenerator<HubEvent> {
    const queue: HubEvent[] = [];
    let wake: (() => void) | undefined;
    let failure: SlowClientError | undefined;
    const accepts = (event: HubEvent) =>
      options.topics.includes(event.topic) && (options.sn === undefined || snOf(event) === options.sn);
    const listener: Listener = {
      accepts,
      wake: () => wake?.(),
      push: (event) => {
        if (failure) return;
        if (queue.length >= this.options.clientBuffer) {
          failure = new SlowClientError(queue.length);
          queue.length = 0;
        } else queue.push(event);
        wake?.();
      },
    };
    const stop = () => wake?.();
    options.signal?.addEventListener('abort', stop, { once: true });
    for (const event of this.#replayAfter(options.lastEventId)) if (accepts(event)) queue.push(event);
    this.#listeners.add(listener);
    try {
      for (;;) {
        if (failure) throw failure;
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.#closed || options.signal?.aborted) return;
        // Armed before the next event can arrive: pushes and this wait run on the same thread.
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.#listeners.delete(listener);
      options.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * Calls `callback` with every event from now on, in process and synchronously (in-memory
   * readers such as the GBFS feed, which keep up by construction); returns the unsubscribe.
   */
  observe(callback: (event: HubEvent) => void): () => void {
    const listener: Listener = { accepts: () => true, push: callback, wake: () => undefined };
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends every stream once its waiting events are read (the NATS connection closing does the same). */
  close(): void {
    this.#closed = true;
    for (const listener of this.#listeners) listener.wake();
  }

  #replayAfter(lastEventId: string | null | undefined): HubEvent[] {
    if (!lastEventId) return [];
    const [boot, seq] = lastEventId.split(':');
    if (boot !== this.#boot) return [];
    const after = Number(seq);
    return this.#recent.filter((event) => Number(event.id.split(':')[1]) > after);
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
    for (const listener of this.#listeners) if (listener.accepts(hubEvent)) listener.push(hubEvent);
  }
}
