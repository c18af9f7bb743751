import { describe, expect, it } from 'vitest';
import { dispenseRequest, dispenseResponse, stationCommandRequest } from './core-api.ts';

describe('core request/reply schemas', () => {
  it('accepts a dispense request and refuses unknown keys or a bad serial', () => {
    const request = { stationSn: 'ST-1', rentalId: 'rental-1', commandId: 'cmd-00001' };
    expect(dispenseRequest.parse(request)).toEqual(request);
    expect(dispenseRequest.safeParse({ ...request, slot: 1 }).success).toBe(false);
    expect(dispenseRequest.safeParse({ ...request, stationSn: 'ST.1' }).success).toBe(false);
  });

  it('types dispense answers as ok with a slot or failed with a reason', () => {
    expect(
      dispenseResponse.safeParse({ ok: true, commandId: 'cmd-00001', slot: 2, powerBankSerial: 'PB1' })
        .success,
    ).toBe(true);
    expect(dispenseResponse.safeParse({ ok: false, commandId: 'cmd-00001', reason: 'timeout' }).success).toBe(
      true,
    );
    expect(dispenseResponse.safeParse({ ok: false, commandId: 'cmd-00001', reason: 'bored' }).success).toBe(
      false,
    );
    expect(dispenseResponse.safeParse({ ok: true, commandId: 'cmd-00001', reason: 'timeout' }).success).toBe(
      false,
    );
  });

  it('needs a slot for slot commands only', () => {
    expect(stationCommandRequest.safeParse({ command: 'lock-slot', stationSn: 'ST1', slot: 3 }).success).toBe(
      true,
    );
    expect(stationCommandRequest.safeParse({ command: 'lock-slot', stationSn: 'ST1' }).success).toBe(false);
    expect(stationCommandRequest.safeParse({ command: 'reboot', stationSn: 'ST1', slot: 3 }).success).toBe(
      false,
    );
  });
});
