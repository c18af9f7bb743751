import { buildUp } from '@powerbank/protocol';
import { describe, expect, it } from 'vitest';
import { upMessageToEvent } from './station-events.ts';

describe('upMessageToEvent', () => {
  it('maps every up message kind and slot event to its machine event', () => {
    const messages = [
      buildUp('hello', { seq: 1, firmware: 'f', slotCount: 1, slots: [{ slot: 1, state: 'empty' }] }),
      buildUp('heartbeat', { seq: 2, uptimeS: 1 }),
      buildUp('slot', { seq: 3, slot: 1, event: 'inserted', powerBank: { serial: 'P', battery: 1 } }),
      buildUp('slot', { seq: 4, slot: 1, event: 'removed' }),
      buildUp('slot', { seq: 5, slot: 1, event: 'fault', error: 'x' }),
      buildUp('eject-result', { seq: 6, slot: 1, commandId: 'cmd-00001', ok: false, error: 'busy' }),
      buildUp('status', { seq: 7, state: 'offline' }),
    ];
    expect(messages.map((m) => upMessageToEvent(m, 5).type)).toEqual([
      'HELLO',
      'HEARTBEAT',
      'SLOT_INSERTED',
      'SLOT_REMOVED',
      'SLOT_FAULT',
      'EJECT_RESULT',
      'STATUS',
    ]);
    expect(upMessageToEvent(messages[1]!, 42)).toMatchObject({ receivedAt: 42, message: messages[1] });
  });
});
