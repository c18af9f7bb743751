import { z } from 'zod';

/** Fields every station message carries: de-duplication id, station-side order and time, schema version. */
export const envelope = z.object({
  v: z.literal(1),
  /** Unique per message; the bridge uses it as the JetStream de-duplication id. */
  msgId: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
  /** Monotonic per station boot; older numbers than the last seen are stale. */
  seq: z.number().int().nonnegative(),
  /** Station clock, epoch milliseconds. */
  ts: z.number().int().positive(),
});

export const heartbeatMessage = envelope
  .extend({
    kind: z.literal('heartbeat'),
    uptimeS: z.number().int().nonnegative(),
    rssi: z.number().int().min(-150).max(0).optional(),
  })
  .strict();
export type HeartbeatMessage = z.infer<typeof heartbeatMessage>;

/** Up messages the bridge relays, by topic kind. */
export const upMessageSchemas = {
  heartbeat: heartbeatMessage,
} as const;
export type UpKind = keyof typeof upMessageSchemas;
export type UpMessage = z.infer<(typeof upMessageSchemas)[UpKind]>;

export type ParsedUp =
  | { ok: true; kind: UpKind; message: UpMessage }
  | { ok: false; reason: 'unknown_kind' | 'invalid_json' | 'invalid_payload'; detail: string };

/** Validates a raw MQTT payload for a topic kind. Never throws: bad input is a value, not an exception. */
export function parseUpMessage(kind: string, payload: Uint8Array | string): ParsedUp {
  const schema = (upMessageSchemas as Record<string, z.ZodType<UpMessage>>)[kind];
  if (!schema) return { ok: false, reason: 'unknown_kind', detail: `unknown message kind "${kind}"` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, reason: 'invalid_payload', detail };
  }
  if ((result.data as { kind: string }).kind !== kind) {
    return {
      ok: false,
      reason: 'invalid_payload',
      detail: `payload kind does not match topic kind "${kind}"`,
    };
  }
  return { ok: true, kind: kind as UpKind, message: result.data };
}
