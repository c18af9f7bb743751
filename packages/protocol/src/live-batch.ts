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

/** A JSON value as superjson's custom transformers type it (structurally). */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * `JSON.rawJSON` (V8, Node ≥ 21): a value `JSON.stringify` writes as the text it holds, unescaped.
 * Not in the es2023 lib this workspace compiles against, hence the typed accessor.
 */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * How superjson carries a batch (register it on both ends: `superjson.registerCustom(liveBatchTransform,
 * LIVE_BATCH)`). A batch is a class instance, so superjson does not walk into it; the server writes
 * the batch's shared JSON text as it is, inside tRPC's own `JSON.stringify` of each message (no
 * per-stream walk, no escaping), and the client's `JSON.parse` of the message has already made the
 * events, which are wrapped back into a batch.
 */
export const liveBatchTransform = {
  isApplicable: (value: unknown): value is LiveBatch<unknown> => value instanceof LiveBatch,
  // The raw-JSON value stands for the array it holds: JSON.stringify writes exactly that array.
  serialize: (batch: LiveBatch<unknown>) => rawJSON(batch.json) as Json[],
  deserialize: (events: Json[]) => new LiveBatch<unknown>(events),
};
