import { describe, expect, it } from 'vitest';
import { buildDown, buildUp, encodeMessage } from './build-message.ts';
import { parseDownMessage, parseUpMessage } from './parse-message.ts';

const base = { v: 1, msgId: 'msg-0001', seq: 7, ts: 1_700_000_000_000 };
const hello = {
  ...base,
  kind: 'hello',
  firmware: '2.1.0',
  slotCount: 3,
  slots: [
    { slot: 1, state: 'occupied', powerBank: { serial: 'PB-1', battery: 88 } },
    { slot: 2, state: 'empty' },
    { slot: 3, state: 'fault', error: 'motor' },
  ],
};
const validUp: Record<string, object> = {
  hello,
  heartbeat: { ...base, kind: 'heartbeat', uptimeS: 12, batteries: [{ slot: 1, battery: 90 }] },
  slot: { ...base, kind: 'slot', slot: 2, event: 'inserted', powerBank: { serial: 'PB-9', battery: 15 } },
  'eject-result': {
    ...base,
    kind: 'eject-result',
    commandId: 'cmd-0001',
    slot: 1,
    ok: true,
    powerBankSerial: 'PB-1',
  },
  status: { ...base, kind: 'status', state: 'offline' },
};

describe('parseUpMessage', () => {
  it.each(Object.entries(validUp))('accepts a valid %s, from bytes or a string', (kind, message) => {
    const fromString = parseUpMessage(kind, JSON.stringify(message));
    expect(fromString).toEqual({ ok: true, kind, message });
    expect(parseUpMessage(kind, encodeMessage(message))).toEqual(fromString);
  });

  it('accepts every slot event and eject failure shape', () => {
    expect(
      parseUpMessage('slot', JSON.stringify({ ...base, kind: 'slot', slot: 1, event: 'removed' })).ok,
    ).toBe(true);
    expect(
      parseUpMessage(
        'slot',
        JSON.stringify({ ...base, kind: 'slot', slot: 1, event: 'fault', error: 'lock' }),
      ).ok,
    ).toBe(true);
    const failed = {
      ...base,
      kind: 'eject-result',
      commandId: 'cmd-0001',
      slot: 1,
      ok: false,
      error: 'jammed',
    };
    expect(parseUpMessage('eject-result', JSON.stringify(failed)).ok).toBe(true);
  });

  it('reports invalid JSON and non-UTF-8 bytes as invalid_json', () => {
    expect(parseUpMessage('heartbeat', '{"v":1,')).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(parseUpMessage('heartbeat', new Uint8Array([0xff, 0xfe]))).toMatchObject({
      ok: false,
      reason: 'invalid_json',
    });
  });

  it('refuses unknown kinds, including inherited property names', () => {
    expect(parseUpMessage('teleport', '{}')).toMatchObject({ ok: false, reason: 'unknown_kind' });
    expect(parseUpMessage('toString', '{}')).toMatchObject({ ok: false, reason: 'unknown_kind' });
    expect(parseUpMessage('eject', JSON.stringify(validUp.heartbeat))).toMatchObject({
      reason: 'unknown_kind',
    });
  });

  it('refuses a payload whose kind is not the topic kind', () => {
    const result = parseUpMessage('heartbeat', JSON.stringify(validUp.status));
    expect(result).toMatchObject({ ok: false, reason: 'invalid_payload' });
  });

  it.each(Object.entries(validUp))('refuses extra keys in %s (schemas are strict)', (kind, message) => {
    const result = parseUpMessage(kind, JSON.stringify({ ...message, extra: 1 }));
    expect(result).toMatchObject({ ok: false, reason: 'invalid_payload' });
    if (!result.ok) expect(result.detail).toMatch(/extra/);
  });

  it('refuses missing envelope fields, wrong version and unsafe ids', () => {
    const { seq: _seq, ...noSeq } = validUp.heartbeat as Record<string, unknown>;
    expect(parseUpMessage('heartbeat', JSON.stringify(noSeq))).toMatchObject({ ok: false });
    expect(parseUpMessage('heartbeat', JSON.stringify({ ...validUp.heartbeat, v: 2 }))).toMatchObject({
      ok: false,
    });
    const badId = parseUpMessage(
      'heartbeat',
      JSON.stringify({ ...validUp.heartbeat, msgId: 'a b c d e f g' }),
    );
    expect(badId).toMatchObject({ ok: false, reason: 'invalid_payload' });
    if (!badId.ok) expect(badId.detail).toMatch(/^msgId:/);
  });

  it('refuses an occupied slot without its power bank and a battery above 100', () => {
    const noBank = { ...hello, slots: [{ slot: 1, state: 'occupied' }, ...hello.slots.slice(1)] };
    expect(parseUpMessage('hello', JSON.stringify(noBank)).ok).toBe(false);
    const inserted = { ...(validUp.slot as object), powerBank: { serial: 'PB-9', battery: 101 } };
    expect(parseUpMessage('slot', JSON.stringify(inserted)).ok).toBe(false);
  });

  it('refuses control characters and lone surrogates in free-text fields (Postgres cannot store \\u0000)', () => {
    const texts = ['2.1\u0000', 'a\nb', '\u007f', '\u0085', '\ud800'];
    for (const text of texts) {
      const withFirmware = { ...hello, firmware: text };
      const withSlotError = {
        ...hello,
        slots: [...hello.slots.slice(0, 2), { slot: 3, state: 'fault', error: text }],
      };
      const withFault = { ...base, kind: 'slot', slot: 1, event: 'fault', error: text };
      expect(parseUpMessage('hello', JSON.stringify(withFirmware)).ok, JSON.stringify(text)).toBe(false);
      expect(parseUpMessage('hello', JSON.stringify(withSlotError)).ok, JSON.stringify(text)).toBe(false);
      expect(parseUpMessage('slot', JSON.stringify(withFault)).ok, JSON.stringify(text)).toBe(false);
    }
    const lockReason = { v: 1, kind: 'lock-slot', msgId: 'msg-0002', ts: 1, slot: 1, reason: 'x\u0000' };
    expect(parseDownMessage('lock-slot', JSON.stringify(lockReason)).ok).toBe(false);
    // Printable text of any script stays allowed.
    expect(parseUpMessage('hello', JSON.stringify({ ...hello, firmware: 'v2 – ünïcode 😀' })).ok).toBe(true);
  });

  it('refuses a hello whose snapshot does not list every slot exactly once', () => {
    const missing = { ...hello, slots: hello.slots.slice(0, 2) };
    const twice = { ...hello, slots: [hello.slots[0], hello.slots[1], { slot: 2, state: 'empty' }] };
    const beyond = { ...hello, slots: [...hello.slots.slice(0, 2), { slot: 4, state: 'empty' }] };
    for (const bad of [missing, twice, beyond]) {
      expect(parseUpMessage('hello', JSON.stringify(bad))).toMatchObject({
        ok: false,
        reason: 'invalid_payload',
      });
    }
  });

  it('refuses an eject-result that is ok with an error code, or failed without one', () => {
    const mixed = { ...validUp['eject-result'], error: 'jammed' };
    expect(parseUpMessage('eject-result', JSON.stringify(mixed)).ok).toBe(false);
    const failed = {
      ...base,
      kind: 'eject-result',
      commandId: 'cmd-0001',
      slot: 1,
      ok: false,
      error: 'melted',
    };
    expect(parseUpMessage('eject-result', JSON.stringify(failed)).ok).toBe(false);
  });
});

describe('parseDownMessage', () => {
  const down = { v: 1, msgId: 'cmd-0001', ts: 1_700_000_000_000 };
  const validDown: Record<string, object> = {
    eject: { ...down, kind: 'eject', commandId: 'cmd-0001', slot: 2, rentalId: 'rental-1' },
    sync: { ...down, kind: 'sync' },
    config: { ...down, kind: 'config', heartbeatIntervalS: 30 },
    'lock-slot': { ...down, kind: 'lock-slot', slot: 1 },
    'unlock-slot': { ...down, kind: 'unlock-slot', slot: 1 },
    reboot: { ...down, kind: 'reboot' },
  };

  it.each(Object.entries(validDown))('accepts a valid %s', (kind, message) => {
    expect(parseDownMessage(kind, JSON.stringify(message))).toEqual({ ok: true, kind, message });
  });

  it.each(Object.entries(validDown))('refuses extra keys in %s', (kind, message) => {
    expect(parseDownMessage(kind, JSON.stringify({ ...message, seq: 1 }))).toMatchObject({ ok: false });
  });

  it('refuses an eject whose msgId is not its command id, and an empty config', () => {
    const eject = { ...validDown.eject, msgId: 'other-0001' };
    expect(parseDownMessage('eject', JSON.stringify(eject))).toMatchObject({
      ok: false,
      reason: 'invalid_payload',
    });
    expect(parseDownMessage('config', JSON.stringify({ ...down, kind: 'config' })).ok).toBe(false);
  });

  it('does not accept up kinds on down topics, nor invalid JSON', () => {
    expect(parseDownMessage('hello', JSON.stringify(hello))).toMatchObject({ reason: 'unknown_kind' });
    expect(parseDownMessage('sync', 'not json')).toMatchObject({ reason: 'invalid_json' });
  });
});

describe('buildUp / buildDown', () => {
  it('fills the envelope and produces messages the parsers accept', () => {
    const heartbeat = buildUp('heartbeat', { seq: 3, uptimeS: 1 });
    expect(heartbeat).toMatchObject({ v: 1, kind: 'heartbeat', seq: 3 });
    expect(heartbeat.msgId).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(parseUpMessage('heartbeat', encodeMessage(heartbeat)).ok).toBe(true);

    const eject = buildDown('eject', { commandId: 'cmd-12345', slot: 4, rentalId: 'r1' });
    expect(eject.msgId).toBe('cmd-12345');
    expect(parseDownMessage('eject', encodeMessage(eject)).ok).toBe(true);
    expect(buildUp('heartbeat', { seq: 4, uptimeS: 1 }).msgId).not.toBe(heartbeat.msgId);
  });

  it('throws on fields that break the schema', () => {
    expect(() => buildUp('slot', { seq: 1, slot: 0, event: 'removed' })).toThrow();
  });
});
