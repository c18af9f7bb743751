import type { z } from 'zod';
import { type DownKind, type DownMessageOf, downMessageSchemas } from './down-messages.ts';
import { type UpKind, type UpMessageOf, upMessageSchemas } from './up-messages.ts';

/** A fresh message or command id. */
export function newMessageId(): string {
  return globalThis.crypto.randomUUID();
}

// Distributes over the union so each variant keeps its own fields.
type WithoutEnvelope<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type UpFields<K extends UpKind> = WithoutEnvelope<UpMessageOf<K>, 'v' | 'kind' | 'msgId' | 'ts'> & {
  msgId?: string;
  ts?: number;
};
export type DownFields<K extends DownKind> = WithoutEnvelope<
  DownMessageOf<K>,
  'v' | 'kind' | 'msgId' | 'ts'
> & {
  msgId?: string;
  ts?: number;
};

/**
 * Builds and validates an up message; `msgId` and `ts` default to a fresh id
 * and now. Throws on invalid fields: a builder is for our own code, where a bad
 * message is a bug.
 */
export function buildUp<K extends UpKind>(kind: K, fields: UpFields<K>): UpMessageOf<K> {
  const raw = { v: 1, kind, msgId: newMessageId(), ts: Date.now(), ...fields };
  return (upMessageSchemas[kind] as z.ZodType).parse(raw) as UpMessageOf<K>;
}

/** Builds and validates a down message; for commands with a `commandId` the msgId is that id. */
export function buildDown<K extends DownKind>(kind: K, fields: DownFields<K>): DownMessageOf<K> {
  const commandId = (fields as { commandId?: string }).commandId;
  const raw = { v: 1, kind, msgId: commandId ?? newMessageId(), ts: Date.now(), ...fields };
  return (downMessageSchemas[kind] as z.ZodType).parse(raw) as DownMessageOf<K>;
}

const encoder = new TextEncoder();
/** The wire form of any message. */
export function encodeMessage(message: object): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}
