/**
 * One message of a live stream (`admin.live.*`): the events of one tick that the stream's filter
 * accepts, oldest first. The api builds one batch per tick and distinct filter and hands the same
 * object to every stream with that filter, so its JSON is made once however many clients follow
 * (`json`); a client gets the events decoded (`events`). Kept apart from the rest of the protocol
 * (its own export, no zod) so the console's bundle takes only this.
 *
 * Most batches go on the wire as their events. A slots stream's go compact (`SlotsWire`: each
 * event only the slots that changed, as arrays), which a client turns back into whole events with
 * the state of its stream (`LiveSlotsDecoder`; the api-client's link does it for every stream).
 */
export class LiveBatch<E> {
  readonly #events: readonly E[] | undefined;
  #json: string | undefined;

  /** `wire`: what goes on the wire when it is not the events themselves (a compact encoding). */
  constructor(
    events: readonly E[] | undefined,
    readonly wire: unknown = events,
  ) {
    this.#events = events;
  }

  /** False for a compact batch as it arrives, before its stream's decoder made events of it. */
  get decoded(): boolean {
    return this.#events !== undefined;
  }

  get events(): readonly E[] {
    if (this.#events === undefined)
      throw new Error(
        'a compact live batch: decode it with its stream (the api-client link decodeLiveBatches)',
      );
    return this.#events;
  }

  /** The wire form as JSON text, made on first use and kept for every stream after. */
  get json(): string {
    this.#json ??= JSON.stringify(this.wire);
    return this.#json;
  }
}

/** The name superjson annotates a batch with on the wire; both ends register `liveBatchTransform` under it. */
export const LIVE_BATCH = 'live-batch';

/**
 * `JSON.rawJSON` (V8, Node ≥ 21): a value `JSON.stringify` writes as the text it holds, as it is.
 * It takes primitives only (a string literal, not an array), hence the batch goes as a string.
 * Not in the es2023 lib this workspace compiles against, hence the typed accessor.
 */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** Each batch's text as a JSON string literal, escaped once, for every stream's message. */
const literals = new WeakMap<LiveBatch<unknown>, string>();

/** Freezes `value` and everything in it (parsed JSON: plain objects and arrays, no cycles). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * The batches a process decoded last, by their text. Every stream of a process that follows the
 * same thing (the bench's clients, a console's tabs on one station) gets each tick's batch as the
 * same text: it is parsed once, not once per stream. What is shared is frozen, so that no
 * subscriber can change what another one reads. A few entries, and a few megabytes of text at most
 * (a stream's first message, the state of every station it covers, can be large): the streams of
 * a process get a tick's message within moments of each other, and a batch is not worth keeping
 * after that.
 */
const recentBatches = new Map<string, LiveBatch<unknown>>();
const RECENT_BATCHES = 32;
const RECENT_CHARS = 4_000_000;
let recentChars = 0;

function remember(text: string, batch: LiveBatch<unknown>): void {
  recentBatches.set(text, batch);
  recentChars += text.length;
  for (const oldest of recentBatches.keys()) {
    if (recentBatches.size <= RECENT_BATCHES && recentChars <= RECENT_CHARS) break;
    recentBatches.delete(oldest);
    recentChars -= oldest.length;
  }
}

function parseBatch(text: string): LiveBatch<unknown> {
  const wire = deepFreeze(JSON.parse(text) as unknown);
  const batch = Array.isArray(wire) ? new LiveBatch<unknown>(wire) : new LiveBatch<unknown>(undefined, wire);
  // Its private fields (the JSON text, made on use) stay writable: freezing does not reach them.
  Object.freeze(batch);
  return batch;
}

/**
 * How superjson carries a batch (register it on both ends: `superjson.registerCustom(liveBatchTransform,
 * LIVE_BATCH)`). A batch is a class instance, so superjson does not walk into it: the server puts the
 * batch's JSON text, escaped as a string once per batch, into tRPC's own `JSON.stringify` of each
 * stream's message as raw JSON (a copy, no walk, no escaping per stream); the client parses that
 * string into the events, or into the compact form its stream's decoder reads — once per process
 * for the same text (`recentBatches`): the batch, its events and its wire form are frozen.
 */
export const liveBatchTransform = {
  isApplicable: (value: unknown): value is LiveBatch<unknown> => value instanceof LiveBatch,
  serialize: (batch: LiveBatch<unknown>): string => {
    let literal = literals.get(batch);
    if (literal === undefined) {
      // A raw-JSON value is frozen and can go into any number of messages: made once per batch.
      literal = rawJSON(JSON.stringify(batch.json)) as string;
      literals.set(batch, literal);
    }
    return literal;
  },
  deserialize: (text: string): LiveBatch<unknown> => {
    let batch = recentBatches.get(text);
    if (batch === undefined) {
      batch = parseBatch(text);
      remember(text, batch);
    }
    return batch;
  },
};

// ---- slots, compact -------------------------------------------------------------------------------

/** A slot as a station reports it (`StationChangedEvent['slots'][number]`, without zod). */
export interface LiveSlot {
  slot: number;
  state: string;
  powerBankSerial: string | null;
  battery: number | null;
}

/** A slots event as readers get it: the station's slots, whole. */
export interface LiveSlotsEvent {
  sn: string;
  slots: readonly LiveSlot[];
  receivedAt: number;
}

/** What changed in a station's slots: all of them (`full`), or only `values`' slots. */
export interface SlotsChange {
  full: boolean;
  /** Per slot: its number, state, power bank serial and battery, one after the other. */
  values: (string | number | null)[];
}

/**
 * One slots event on the wire: `[sn, receivedAt, full ? 1 : 0, ...values]`. A slot is 4 values
 * (about 30 bytes) instead of an object of about 75, and an event names only the slots that
 * changed (one, for a power bank taken or returned) — a client parses ~50 bytes, not ~1.1 KB.
 */
export type SlotsEntry = [sn: string, receivedAt: number, full: 0 | 1, ...values: (string | number | null)[]];

/**
 * A slots stream's batch on the wire. `reset`: the state of every station the stream covers
 * (each entry full), sent when a stream starts without a gapless resume: the decoder starts over
 * from it.
 */
export interface SlotsWire {
  slots: SlotsEntry[];
  reset?: true;
}

const SLOT_WIDTH = 4;

function pushSlot(values: SlotsChange['values'], slot: LiveSlot): void {
  values.push(slot.slot, slot.state, slot.powerBankSerial, slot.battery);
}

const sameSlot = (a: LiveSlot, b: LiveSlot) =>
  a.slot === b.slot &&
  a.state === b.state &&
  a.powerBankSerial === b.powerBankSerial &&
  a.battery === b.battery;

/**
 * What changed from `previous` to `slots`: nothing (undefined), some slots, or all of them when
 * there is no previous state or the slots are not the same ones (a station with another layout).
 */
export function slotsChange(
  slots: readonly LiveSlot[],
  previous: readonly LiveSlot[] | undefined,
): SlotsChange | undefined {
  const values: SlotsChange['values'] = [];
  const sameLayout =
    previous !== undefined &&
    previous.length === slots.length &&
    slots.every((slot, i) => slot.slot === previous[i]!.slot);
  if (!sameLayout) {
    for (const slot of slots) pushSlot(values, slot);
    return { full: true, values };
  }
  slots.forEach((slot, i) => {
    if (!sameSlot(slot, previous[i]!)) pushSlot(values, slot);
  });
  return values.length ? { full: false, values } : undefined;
}

export const slotsEntry = (sn: string, receivedAt: number, change: SlotsChange): SlotsEntry => [
  sn,
  receivedAt,
  change.full ? 1 : 0,
  ...change.values,
];

/** The slot whose values start at `i` in `entry` (frozen: events may be shared between streams). */
const slotAt = (entry: SlotsEntry, i: number): LiveSlot =>
  Object.freeze({
    slot: entry[i] as number,
    state: entry[i + 1] as string,
    powerBankSerial: entry[i + 2] as string | null,
    battery: entry[i + 3] as number | null,
  });

/** The slots an entry names, as objects. */
function slotsOf(entry: SlotsEntry): LiveSlot[] {
  const slots: LiveSlot[] = [];
  for (let i = 3; i < entry.length; i += SLOT_WIDTH) slots.push(slotAt(entry, i));
  return slots;
}

/**
 * The event a (frozen, hence shared) entry was decoded to, and the slots it was applied to
 * (`base`: undefined for a full entry, which needs none). Another stream whose state for the
 * station is that same frozen array gets the same event: decoding it again would make an equal
 * one. One process's streams of one filter thus decode each event once between them.
 */
const decodedEntries = new WeakMap<
  SlotsEntry,
  { base: readonly LiveSlot[] | undefined; event: LiveSlotsEvent }
>();

/**
 * One stream's decoder: keeps each station's slots as the stream last told them, so that an
 * entry naming only the changed slots becomes a whole event again. Events are frozen, and
 * unchanged slots are the same objects from event to event; the event of a frozen entry (as
 * `liveBatchTransform` makes them) is shared by the streams that knew the same state before it.
 * A `reset` batch replaces the state and yields the stations that differ from what the stream
 * knew (none on its first batch: a new stream gets changes from now on, as before).
 */
export class LiveSlotsDecoder {
  readonly #stations = new Map<string, readonly LiveSlot[]>();
  #started = false;

  decode(wire: SlotsWire): LiveSlotsEvent[] {
    const events: LiveSlotsEvent[] = [];
    if (wire.reset) {
      const before = new Map(this.#stations);
      this.#stations.clear();
      for (const entry of wire.slots) {
        // A reset's entries are whole: read as full whatever their flag.
        const event = this.#apply(entry, true)!;
        const known = before.get(event.sn);
        const { slots } = event;
        const same =
          known === slots ||
          (known?.length === slots.length && slots.every((slot, i) => sameSlot(slot, known[i]!)));
        if (this.#started && !same) events.push(event);
      }
    } else {
      for (const entry of wire.slots) {
        const event = this.#apply(entry, false);
        if (event) events.push(event);
      }
    }
    this.#started = true;
    return events;
  }

  /** `entry` applied to the station's state (`whole`: read as full, as a reset's entries are). */
  #apply(entry: SlotsEntry, whole: boolean): LiveSlotsEvent | undefined {
    // Indexed rather than destructured: this runs per event per stream.
    const sn = entry[0];
    const full = whole || entry[2] === 1;
    const known = full ? undefined : this.#stations.get(sn);
    // Cannot happen (a station's first entry is full, a stream starts from a reset); not guessed.
    if (!full && known === undefined) return undefined;
    const shared = Object.isFrozen(entry);
    const memo = shared ? decodedEntries.get(entry) : undefined;
    let event: LiveSlotsEvent;
    if (memo !== undefined && memo.base === known) event = memo.event;
    else {
      let slots: LiveSlot[];
      if (full) slots = slotsOf(entry);
      else {
        slots = known!.slice();
        for (let i = 3; i < entry.length; i += SLOT_WIDTH) {
          const slot = slotAt(entry, i);
          // Slot n is usually at n - 1.
          const at =
            slots[slot.slot - 1]?.slot === slot.slot
              ? slot.slot - 1
              : slots.findIndex((s) => s.slot === slot.slot);
          if (at >= 0) slots[at] = slot;
        }
      }
      event = Object.freeze({ sn, slots: Object.freeze(slots), receivedAt: entry[1] });
      if (shared) decodedEntries.set(entry, { base: known, event });
    }
    this.#stations.set(sn, event.slots);
    return event;
  }
}
