/**
 * One message of a live stream (`admin.live.*`): the events of one tick that the stream's filter
 * accepts, oldest first. The api builds one batch per tick and distinct filter and hands the same
 * object to every stream with that filter, so its JSON is made once however many clients follow
 * (`json`); a client gets the events decoded (`events`). Kept apart from the rest of the protocol
 * (its own export, no zod) so the console's bundle takes only this.
 */
export class LiveBatch<E> {
  #json: string | undefined;

  constructor(readonly events: readonly E[]) {}

  /** The events as JSON text, made on first use and kept for every stream after. */
  get json(): string {
    this.#json ??= JSON.stringify(this.events);
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

/**
 * How superjson carries a batch (register it on both ends: `superjson.registerCustom(liveBatchTransform,
 * LIVE_BATCH)`). A batch is a class instance, so superjson does not walk into it: the server puts the
 * batch's JSON text, escaped as a string once per batch, into tRPC's own `JSON.stringify` of each
 * stream's message as raw JSON (a copy, no walk, no escaping per stream); the client parses that
 * string into the events.
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
  deserialize: (text: string) => new LiveBatch<unknown>(JSON.parse(text) as unknown[]),
};
