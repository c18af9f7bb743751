import {
  buildUp,
  type DownMessage,
  type EjectErrorCode,
  type EjectResultMessage,
  newMessageId,
  type SlotSnapshot,
  type UpMessage,
} from '@powerbank/protocol';

export interface PowerBankSeed {
  slot: number;
  serial: string;
  /** Percent, 0–100. */
  battery: number;
}

export interface StationSeed {
  sn: string;
  slotCount: number;
  powerBanks?: PowerBankSeed[];
  /** The station's broker password, issued when it was provisioned (username and client id: its serial). */
  password?: string;
}

export interface SimSlot {
  slot: number;
  locked: boolean;
  fault?: string;
  /** Battery is kept fractional so slow charging still accumulates; messages report whole percent. */
  powerBank?: { serial: string; battery: number };
  /** An eject is under way in this slot. */
  ejecting: boolean;
}

/** What the station does next in answer to a command: publish now, or publish after the eject delay. */
export type CommandReaction =
  | { type: 'publish'; messages: UpMessage[] }
  | { type: 'eject'; commandId: string; slot: number }
  /** Acknowledge (`ack`), then go down for `delayMs`. */
  | { type: 'reboot'; delayMs: number; ack: UpMessage }
  | { type: 'none' };

/**
 * One station's hardware state and its side of the protocol, without any I/O:
 * the simulator moves messages, this decides what they say. Mutable on
 * purpose: thousands of these live in one process.
 */
export class SimulatedStation {
  readonly sn: string;
  readonly slots: SimSlot[];
  readonly firmware = 'sim-1.0.0';
  heartbeatIntervalMs: number;
  private seq: number;
  private readonly bootedAt: number;
  /** Results of commands already handled: a redelivered eject gets the same answer, never a second eject. */
  private readonly answered = new Map<string, EjectResultMessage>();

  constructor(seed: StationSeed, heartbeatIntervalMs: number, now = Date.now()) {
    this.sn = seed.sn;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.bootedAt = now;
    // Firmware without a persisted counter seeds seq from its clock (µs), so it rises across reboots.
    this.seq = now * 1000;
    this.slots = Array.from({ length: seed.slotCount }, (_, i) => ({
      slot: i + 1,
      locked: false,
      ejecting: false,
    }));
    for (const pb of seed.powerBanks ?? []) {
      const slot = this.slots[pb.slot - 1];
      if (slot) slot.powerBank = { serial: pb.serial, battery: pb.battery };
    }
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** The will and the `online` of one connection share a seq reserved at connect. */
  connectStatus(): { will: UpMessage; online: UpMessage } {
    const seq = this.nextSeq();
    return {
      will: buildUp('status', { seq, state: 'offline' }),
      online: buildUp('status', { seq, state: 'online', msgId: newMessageId() }),
    };
  }

  hello(reason: 'boot' | 'reconnect' | 'sync'): UpMessage {
    return buildUp('hello', {
      seq: this.nextSeq(),
      firmware: this.firmware,
      slotCount: this.slots.length,
      reason,
      slots: this.slots.map(snapshotOf),
    });
  }

  heartbeat(now = Date.now()): UpMessage {
    const batteries = this.slots.flatMap((s) =>
      s.powerBank ? [{ slot: s.slot, battery: Math.floor(s.powerBank.battery) }] : [],
    );
    return buildUp('heartbeat', {
      seq: this.nextSeq(),
      uptimeS: Math.floor((now - this.bootedAt) / 1000),
      batteries,
    });
  }

  /** Raises the battery of every power bank in a slot. */
  charge(percent: number): void {
    for (const slot of this.slots) {
      if (slot.powerBank) slot.powerBank.battery = Math.min(100, slot.powerBank.battery + percent);
    }
  }

  /** `at`: when it happened by the station's clock (a report sent later, e.g. after an outage); default now. */
  insert(slotIndex: number, serial: string, battery: number, at?: number): UpMessage {
    const slot = this.slotAt(slotIndex);
    if (slot.powerBank) throw new Error(`slot ${slotIndex} of ${this.sn} is not empty`);
    slot.powerBank = { serial, battery };
    return buildUp('slot', {
      seq: this.nextSeq(),
      slot: slotIndex,
      event: 'inserted',
      powerBank: { serial, battery },
      ...(at === undefined ? {} : { ts: at }),
    });
  }

  remove(slotIndex: number): UpMessage {
    const slot = this.slotAt(slotIndex);
    const serial = slot.powerBank?.serial;
    delete slot.powerBank;
    return buildUp('slot', {
      seq: this.nextSeq(),
      slot: slotIndex,
      event: 'removed',
      ...(serial ? { powerBankSerial: serial } : {}),
    });
  }

  fault(slotIndex: number, error: string): UpMessage {
    this.slotAt(slotIndex).fault = error;
    return buildUp('slot', { seq: this.nextSeq(), slot: slotIndex, event: 'fault', error });
  }

  /** The station's word on a command other than an eject: done, or refused with `error`. */
  ack(command: Exclude<DownMessage, { kind: 'eject' }>, error?: string): UpMessage {
    return buildUp('ack', {
      seq: this.nextSeq(),
      commandId: command.msgId,
      command: command.kind,
      ok: !error,
      ...(error ? { error } : {}),
    });
  }

  /** What to do about a command from the cloud. */
  react(command: DownMessage): CommandReaction {
    switch (command.kind) {
      case 'sync':
        return { type: 'publish', messages: [this.ack(command), this.hello('sync')] };
      case 'config':
        if (command.heartbeatIntervalS) this.heartbeatIntervalMs = command.heartbeatIntervalS * 1000;
        return { type: 'publish', messages: [this.ack(command)] };
      case 'lock-slot':
      case 'unlock-slot': {
        const slot = this.slots[command.slot - 1];
        if (!slot) return { type: 'publish', messages: [this.ack(command, 'unknown_slot')] };
        slot.locked = command.kind === 'lock-slot';
        return { type: 'publish', messages: [this.ack(command)] };
      }
      case 'reboot':
        return { type: 'reboot', delayMs: (command.delayS ?? 0) * 1000, ack: this.ack(command) };
      case 'eject': {
        const earlier = this.answered.get(command.commandId);
        if (earlier) return { type: 'publish', messages: [earlier] };
        const refusal = this.ejectRefusal(command.slot);
        if (refusal)
          return { type: 'publish', messages: [this.answer(command.commandId, command.slot, refusal)] };
        this.slotAt(command.slot).ejecting = true;
        return { type: 'eject', commandId: command.commandId, slot: command.slot };
      }
    }
  }

  /** Ends an eject started by `react`: the power bank leaves the slot unless the mechanism failed. */
  finishEject(commandId: string, slotIndex: number, failure?: EjectErrorCode): EjectResultMessage {
    const slot = this.slotAt(slotIndex);
    slot.ejecting = false;
    if (!failure && !slot.powerBank) failure = 'empty';
    return this.answer(commandId, slotIndex, failure);
  }

  private ejectRefusal(slotIndex: number): EjectErrorCode | undefined {
    const slot = this.slots[slotIndex - 1];
    if (!slot) return 'fault';
    if (slot.ejecting) return 'busy';
    if (slot.locked) return 'locked';
    if (slot.fault) return 'fault';
    if (!slot.powerBank) return 'empty';
    return undefined;
  }

  private answer(commandId: string, slotIndex: number, failure?: EjectErrorCode): EjectResultMessage {
    const slot = this.slotAt(slotIndex);
    const seq = this.nextSeq();
    let result: EjectResultMessage;
    if (failure || !slot.powerBank) {
      result = buildUp('eject-result', {
        seq,
        commandId,
        slot: slotIndex,
        ok: false,
        error: failure ?? 'empty',
      });
    } else {
      result = buildUp('eject-result', {
        seq,
        commandId,
        slot: slotIndex,
        ok: true,
        powerBankSerial: slot.powerBank.serial,
      });
      delete slot.powerBank;
    }
    this.answered.set(commandId, result);
    // Bounded memory: a real station keeps a small ring of recent command ids.
    if (this.answered.size > 256) this.answered.delete(this.answered.keys().next().value as string);
    return result;
  }

  private slotAt(slotIndex: number): SimSlot {
    const slot = this.slots[slotIndex - 1];
    if (!slot) throw new Error(`${this.sn} has no slot ${slotIndex}`);
    return slot;
  }
}

function snapshotOf(slot: SimSlot): SlotSnapshot {
  const powerBank = slot.powerBank
    ? { serial: slot.powerBank.serial, battery: Math.floor(slot.powerBank.battery) }
    : undefined;
  if (slot.fault)
    return { slot: slot.slot, state: 'fault', error: slot.fault, ...(powerBank ? { powerBank } : {}) };
  if (slot.locked) return { slot: slot.slot, state: 'locked', ...(powerBank ? { powerBank } : {}) };
  return powerBank ? { slot: slot.slot, state: 'occupied', powerBank } : { slot: slot.slot, state: 'empty' };
}
