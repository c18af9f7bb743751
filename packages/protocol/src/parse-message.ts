import type { z } from 'zod';
import { type DownKind, type DownMessage, downMessageSchemas } from './down-messages.ts';
import { type UpKind, type UpMessage, upMessageSchemas } from './up-messages.ts';

export type ParseFailure = {
  ok: false;
  reason: 'unknown_kind' | 'invalid_json' | 'invalid_payload';
  detail: string;
};
export type ParsedUp = { ok: true; kind: UpKind; message: UpMessage } | ParseFailure;
export type ParsedDown = { ok: true; kind: DownKind; message: DownMessage } | ParseFailure;

/** Validates a raw MQTT payload for a topic kind. Never throws: bad input is a value, not an exception. */
export function parseUpMessage(kind: string, payload: Uint8Array | string): ParsedUp {
  return parseByKind(upMessageSchemas, kind, payload) as ParsedUp;
}

/** The station side of `parseUpMessage`, for down topics. */
export function parseDownMessage(kind: string, payload: Uint8Array | string): ParsedDown {
  return parseByKind(downMessageSchemas, kind, payload) as ParsedDown;
}

/** Field paths and messages, one line per problem, for logs and SystemLog rows. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function parseByKind(
  schemas: Record<string, z.ZodType>,
  kind: string,
  payload: Uint8Array | string,
): { ok: true; kind: string; message: unknown } | ParseFailure {
  const schema = Object.hasOwn(schemas, kind) ? schemas[kind] : undefined;
  if (!schema) return { ok: false, reason: 'unknown_kind', detail: `unknown message kind "${kind}"` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload));
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message };
  }
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, reason: 'invalid_payload', detail: describeIssues(result.error) };
  if ((result.data as { kind: string }).kind !== kind) {
    return {
      ok: false,
      reason: 'invalid_payload',
      detail: `payload kind does not match topic kind "${kind}"`,
    };
  }
  return { ok: true, kind, message: result.data };
}
