import { stationEventTime } from '@powerbank/domain';
import type { DispenseFailureReason, HelloMessage, SlotSnapshot, UpMessage } from '@powerbank/protocol';
import type { DispenseRequest, DispenseResult, SettledEject } from './dispense.ts';
import { remember } from './message-window.ts';
import {
  chooseSlotForDispense,
  emptySlots,
  findPowerBank,
  replaceSlot,
  restingState,
  restSlot,
  type StationSlot,
  slotForAdminEject,
  withoutPowerBank,
} from './slots.ts';
import { knownEject, type StationContext, slotSeq } from './station-context.ts';
import type { StationEffect, Step } from './station-effects.ts';
import type { StationEvent, StationUpEvent } from './station-events.ts';

/**
 * The station's logic as pure functions of (context, event) → context and
 * effects. The machine decides which of them runs in which state; keeping
 * them here keeps the machine definition readable.
 */
type StationStep = Step<StationContext>;
type EventOf<T extends StationEvent['type']> = Extract<StationEvent, { type: T }>;

const changed = (context: StationContext, ...effects: StationEffect[]): StationStep => ({
  context,
  effects: [...effects, { type: 'persist' }],
});
const unchanged = (context: StationContext, ...effects: StationEffect[]): StationStep => ({
  context,
  effects,
});

// ---- de-duplication and ordering ----------------------------------------------------------------

/**
 * A message already seen, or older than what it would change. One station's
 * messages can reach core out of order (bridges relay over several connections
 * at once), so each kind is ordered against what it changes: a slot event
 * against its slot's last message, a hello against the last hello (and then
 * slot by slot), a heartbeat against the newest seq (a late one only carries
 * older battery readings). An eject result answers its command id and is never
 * stale by seq: dropping one overtaken by a heartbeat failed a rental whose
 * power bank was out. Status messages have their own order.
 */
export function isDuplicate(context: StationContext, event: StationUpEvent): boolean {
  const { message } = event;
  if (context.seenMsgIds.includes(message.msgId)) return true;
  switch (message.kind) {
    case 'status':
      return isStaleStatus(context, message);
    case 'eject-result':
    case 'ack':
      return false;
    case 'slot':
      return message.seq <= slotSeq(context, message.slot);
    case 'hello':
      return message.seq <= context.helloSeq;
    default:
      return message.seq <= context.lastSeq;
  }
}

/** Records that the message with `seq` set these slots. */
function setBy(context: StationContext, seq: number, ...slots: number[]): StationContext {
  const slotSeqs = { ...context.slotSeqs };
  for (const slot of slots) slotSeqs[slot] = Math.max(slotSeqs[slot] ?? -1, seq);
  return { ...context, slotSeqs };
}

/**
 * A status of an older connection than the last one seen. The will (`offline`)
 * and the `online` of one connection share its seq; at the same seq `offline`
 * wins, because the will is always sent after that connection's `online`.
 */
function isStaleStatus(context: StationContext, message: Extract<UpMessage, { kind: 'status' }>): boolean {
  const last = context.lastStatus;
  if (!last) return false;
  if (message.seq !== last.seq) return message.seq < last.seq;
  return message.state === 'online' || last.state === 'offline';
}

/** Records the message as seen and the station as alive. */
function accept(context: StationContext, event: StationUpEvent): StationContext {
  const { message } = event;
  return {
    ...context,
    seenMsgIds: remember(context.seenMsgIds, message.msgId, context.historySize),
    lastSeq: message.kind === 'status' ? context.lastSeq : Math.max(context.lastSeq, message.seq),
    lastHeartbeatAt: message.kind === 'status' ? context.lastHeartbeatAt : event.receivedAt,
    connected: message.kind === 'status' ? message.state === 'online' : true,
  };
}

// ---- station messages ---------------------------------------------------------------------------

export function onStatus(context: StationContext, event: EventOf<'STATUS'>): StationStep {
  const { seq, state } = event.message;
  return changed({ ...accept(context, event), lastStatus: { seq, state } });
}

export function onHeartbeat(context: StationContext, event: EventOf<'HEARTBEAT'>): StationStep {
  let slots = context.slots;
  for (const { slot, battery } of event.message.batteries ?? []) {
    const current = slots.find((s) => s.slot === slot);
    // A newer message set this slot (perhaps another power bank): this reading is of the past.
    if (!current?.powerBank || event.message.seq < slotSeq(context, slot)) continue;
    const powerBank = { ...current.powerBank, battery };
    const resting = current.state === 'ready' || current.state === 'charging';
    const state = resting ? restingState(powerBank, context.batteryThreshold) : current.state;
    slots = replaceSlot(slots, { ...current, state, powerBank });
  }
  return changed({ ...accept(context, event), slots });
}

/**
 * Reconciles with a full snapshot, slot by slot. A power bank found that the
 * machine did not know is reported as a return (the runtime closes an open
 * rental for it, if any); one the machine knew that is gone, and is not being
 * ejected, is reported missing. A slot with an eject in flight stays
 * `ejecting` until its result or timeout settles it.
 */
export function onHello(context: StationContext, event: EventOf<'HELLO'>): StationStep {
  const hello: HelloMessage = event.message;
  const effects: StationEffect[] = [];
  const ejecting = new Map(Object.values(context.pendingEjects).map((p) => [p.slot, p]));
  const snapshotBySlot = new Map(hello.slots.map((s) => [s.slot, s]));

  // A slot set by a message newer than this hello (it was overtaken on the way) keeps that picture.
  const newer = (slot: number) => hello.seq < slotSeq(context, slot);
  // Power banks in slots kept that way are where those newer messages put them, not where the
  // hello saw them before they moved.
  const movedSince = new Set(
    context.slots.flatMap((s) => (newer(s.slot) && s.powerBank ? [s.powerBank.serial] : [])),
  );
  const slots = emptySlots(hello.slotCount).map((blank): StationSlot => {
    const current = context.slots.find((s) => s.slot === blank.slot);
    if (current && newer(blank.slot)) return current;
    const reported = snapshotBySlot.get(blank.slot);
    const seen = reported ? slotFromSnapshot(reported, context.batteryThreshold) : blank;
    const next = seen.powerBank && movedSince.has(seen.powerBank.serial) ? withoutPowerBank(seen) : seen;
    const pending = ejecting.get(blank.slot);
    if (pending && (next.state === 'ready' || next.state === 'charging' || next.state === 'empty')) {
      return { ...next, state: 'ejecting', commandId: pending.commandId };
    }
    return next;
  });

  for (const slot of slots) {
    if (slot.powerBank && !findPowerBank(context.slots, slot.powerBank.serial)) {
      effects.push({
        type: 'reportReturn',
        params: {
          slot: slot.slot,
          powerBankSerial: slot.powerBank.serial,
          battery: slot.powerBank.battery,
          source: 'snapshot',
          // The snapshot saw it there at its time; when it was put there is not known, at most then.
          at: stationEventTime(hello.ts, event.receivedAt),
        },
      });
    }
  }
  const beingEjected = new Set(Object.values(context.pendingEjects).map((p) => p.powerBankSerial));
  for (const old of context.slots) {
    const serial = old.powerBank?.serial;
    if (!serial || beingEjected.has(serial) || findPowerBank(slots, serial)) continue;
    effects.push({
      type: 'reportMissing',
      params: { slot: old.slot, powerBankSerial: serial, reason: 'absent_on_hello' },
    });
  }

  const fresh = slots.filter((s) => !newer(s.slot)).map((s) => s.slot);
  return changed(
    {
      ...setBy(accept(context, event), hello.seq, ...fresh),
      helloSeq: hello.seq,
      firmware: hello.firmware,
      slots,
    },
    ...effects,
  );
}

function slotFromSnapshot(reported: SlotSnapshot, threshold: number): StationSlot {
  const slot: StationSlot = { slot: reported.slot, state: 'empty' };
  if (reported.state !== 'empty' && reported.powerBank) slot.powerBank = reported.powerBank;
  switch (reported.state) {
    case 'empty':
    case 'occupied':
      slot.state = restingState(slot.powerBank, threshold);
      break;
    case 'fault':
      slot.state = 'faulty';
      if (reported.error) slot.error = reported.error;
      break;
    case 'locked':
      slot.state = 'locked';
      break;
  }
  return slot;
}

/** A slot the machine does not know (no snapshot yet): record the message and ask for the full picture. */
function unknownSlot(context: StationContext, event: StationUpEvent): StationStep {
  return changed(accept(context, event), { type: 'sendSync' });
}

export function onSlotInserted(context: StationContext, event: EventOf<'SLOT_INSERTED'>): StationStep {
  const { slot: index, powerBank } = event.message;
  const current = context.slots.find((s) => s.slot === index);
  if (!current) return unknownSlot(context, event);
  const knownHere = current.powerBank?.serial === powerBank.serial;
  const found = findPowerBank(context.slots, powerBank.serial);
  const elsewhere = found && found.slot !== index ? found : undefined;
  // A newer message put this power bank in another slot: it has left this one since; what this
  // slot holds now is not known from this message.
  if (elsewhere && event.message.seq < slotSeq(context, elsewhere.slot))
    return changed(accept(context, event));
  // A power bank moved from another slot of this station is no longer there. That slot's seq is
  // left as it was: the move says what left it, not that nothing was put there meanwhile (a bank
  // inserted there before the move, arriving after it, is still placed).
  let slots = elsewhere ? replaceSlot(context.slots, withoutPowerBank(elsewhere)) : context.slots;
  const keepsState = current.state === 'locked' || current.state === 'faulty' || current.state === 'ejecting';
  const state = keepsState ? current.state : restingState(powerBank, context.batteryThreshold);
  slots = replaceSlot(slots, { ...current, state, powerBank });
  const effects: StationEffect[] = [];
  if (!knownHere && !found) {
    effects.push({
      type: 'reportReturn',
      params: {
        slot: index,
        powerBankSerial: powerBank.serial,
        battery: powerBank.battery,
        source: 'inserted',
        at: stationEventTime(event.message.ts, event.receivedAt),
      },
    });
  }
  return changed({ ...setBy(accept(context, event), event.message.seq, index), slots }, ...effects);
}

export function onSlotRemoved(context: StationContext, event: EventOf<'SLOT_REMOVED'>): StationStep {
  const current = context.slots.find((s) => s.slot === event.message.slot);
  if (!current) return unknownSlot(context, event);
  // During an eject the eject-result settles the slot; a removal report adds nothing (and must not
  // mark the slot as newer than that result, which may still be on its way).
  if (current.state === 'ejecting') return changed(accept(context, event));
  // Already empty here, but as of this seq it is a fact: an older insertion arriving late is stale.
  if (!current.powerBank) return changed(setBy(accept(context, event), event.message.seq, current.slot));
  return changed(
    {
      ...setBy(accept(context, event), event.message.seq, current.slot),
      slots: replaceSlot(context.slots, withoutPowerBank(current)),
    },
    {
      type: 'reportMissing',
      params: { slot: current.slot, powerBankSerial: current.powerBank.serial, reason: 'removed' },
    },
  );
}

export function onSlotFault(context: StationContext, event: EventOf<'SLOT_FAULT'>): StationStep {
  const current = context.slots.find((s) => s.slot === event.message.slot);
  if (!current) return unknownSlot(context, event);
  const faulty: StationSlot = { ...current, state: 'faulty', error: event.message.error };
  return changed({
    ...setBy(accept(context, event), event.message.seq, current.slot),
    slots: replaceSlot(context.slots, faulty),
  });
}

export function onEjectResult(context: StationContext, event: EventOf<'EJECT_RESULT'>): StationStep {
  const message = event.message;
  const accepted = accept(context, event);
  const pending = context.pendingEjects[message.commandId];
  if (pending) {
    const { [message.commandId]: _settled, ...stillPending } = context.pendingEjects;
    const slot = context.slots.find((s) => s.slot === pending.slot);
    const ownsSlot = slot?.state === 'ejecting' && slot.commandId === message.commandId;
    // A message newer than this result already set the slot (the result was overtaken on the way):
    // the result still settles the rental, but the slot keeps that newer picture.
    const overtaken = message.seq < slotSeq(context, pending.slot);
    const effects: StationEffect[] = [];
    let slots = context.slots;
    let result: DispenseResult;
    if (message.ok) {
      result = {
        ok: true,
        commandId: pending.commandId,
        rentalId: pending.rentalId,
        slot: pending.slot,
        powerBankSerial: message.powerBankSerial,
      };
      if (slot && overtaken)
        slots = replaceSlot(slots, ownsSlot ? restSlot(slot, context.batteryThreshold) : slot);
      else if (slot)
        slots = replaceSlot(slots, ownsSlot ? { slot: slot.slot, state: 'empty' } : withoutPowerBank(slot));
      // The station ejected another power bank than the one we recorded: our picture is wrong.
      if (message.powerBankSerial !== pending.powerBankSerial) effects.push({ type: 'sendSync' });
    } else {
      result = failed(pending, 'eject_failed', message.error);
      if (slot && ownsSlot && overtaken) {
        slots = replaceSlot(slots, restSlot(slot, context.batteryThreshold));
      } else if (slot && ownsSlot) {
        const emptied = message.error === 'empty' && slot.powerBank;
        if (emptied) {
          effects.push({
            type: 'reportMissing',
            params: { slot: slot.slot, powerBankSerial: emptied.serial, reason: 'eject_found_empty' },
          });
        }
        slots = replaceSlot(
          slots,
          restSlot(emptied ? withoutPowerBank(slot) : slot, context.batteryThreshold),
        );
      }
    }
    effects.push({ type: 'reportDispenseResult', params: result });
    return changed(
      {
        ...(overtaken ? accepted : setBy(accepted, message.seq, pending.slot)),
        slots,
        pendingEjects: stillPending,
        settledEjects: settle(context, { ...pending, result }),
      },
      ...effects,
    );
  }

  const settled = context.settledEjects.find((e) => e.commandId === message.commandId);
  if (settled && message.ok && !settled.result.ok) {
    // A success after the timeout answered: the user has the power bank, so it is out after all.
    const result: DispenseResult = {
      ok: true,
      commandId: settled.commandId,
      rentalId: settled.rentalId,
      slot: settled.slot,
      powerBankSerial: message.powerBankSerial,
      late: true,
    };
    const holder = findPowerBank(context.slots, message.powerBankSerial);
    // Unless a newer message put it (back) in a slot: then it is there.
    const leaves = holder && message.seq > slotSeq(context, holder.slot);
    const slots = leaves ? replaceSlot(context.slots, withoutPowerBank(holder)) : context.slots;
    const settledEjects = context.settledEjects.map((e) => (e === settled ? { ...e, result } : e));
    return changed({ ...accepted, slots, settledEjects }, { type: 'reportDispenseResult', params: result });
  }
  // A result for a command that is settled either way, or unknown here: nothing to do but note it.
  return changed(accepted);
}

// ---- commands -----------------------------------------------------------------------------------

function failed(request: DispenseRequest, reason: DispenseFailureReason, detail?: string): DispenseResult {
  const result: DispenseResult = {
    ok: false,
    commandId: request.commandId,
    rentalId: request.rentalId,
    reason,
  };
  if (detail) result.detail = detail;
  return result;
}

function settle(context: StationContext, eject: SettledEject): SettledEject[] {
  return remember(context.settledEjects, eject, context.historySize);
}

/** A command id seen before: answer with its outcome if it has one; a pending one answers when it settles. */
export function onRepeatedDispense(
  context: StationContext,
  event: EventOf<'DISPENSE_REQUESTED'>,
): StationStep {
  const known = knownEject(context, event.commandId);
  if (known && 'result' in known)
    return unchanged(context, { type: 'reportDispenseResult', params: known.result });
  return unchanged(context);
}

export function refuseDispense(
  context: StationContext,
  event: EventOf<'DISPENSE_REQUESTED'>,
  reason: DispenseFailureReason,
): StationStep {
  return unchanged(context, { type: 'reportDispenseResult', params: failed(event, reason) });
}

export function onDispenseRequested(
  context: StationContext,
  event: EventOf<'DISPENSE_REQUESTED'>,
): StationStep {
  // A slot can look ready while an older eject for it is still unanswered (e.g. after a snapshot); skip it.
  const inFlight = new Set(Object.values(context.pendingEjects).map((p) => p.slot));
  const candidates = context.slots.filter((s) => !inFlight.has(s.slot));
  const chosen =
    event.slot === undefined
      ? chooseSlotForDispense(candidates, context.batteryThreshold)
      : slotForAdminEject(candidates, event.slot);
  if (!chosen) {
    const ejecting = event.slot === undefined ? inFlight.size > 0 : inFlight.has(event.slot);
    return refuseDispense(context, event, ejecting ? 'busy' : 'no_power_bank');
  }
  const { commandId, rentalId } = event;
  const pending = { commandId, rentalId, slot: chosen.slot, powerBankSerial: chosen.powerBank.serial };
  return changed(
    {
      ...context,
      slots: replaceSlot(context.slots, { ...chosen, state: 'ejecting', commandId }),
      pendingEjects: { ...context.pendingEjects, [commandId]: pending },
    },
    { type: 'sendEject', params: { commandId, rentalId, slot: chosen.slot } },
  );
}

export function onEjectTimedOut(context: StationContext, event: EventOf<'EJECT_TIMED_OUT'>): StationStep {
  const pending = context.pendingEjects[event.commandId];
  if (!pending) return unchanged(context);
  const { [event.commandId]: _timedOut, ...stillPending } = context.pendingEjects;
  const slot = context.slots.find((s) => s.slot === pending.slot);
  const slots =
    slot?.state === 'ejecting' && slot.commandId === event.commandId
      ? replaceSlot(context.slots, restSlot(slot, context.batteryThreshold))
      : context.slots;
  const result = failed(pending, 'timeout');
  return changed(
    {
      ...context,
      slots,
      pendingEjects: stillPending,
      settledEjects: settle(context, { ...pending, result }),
    },
    { type: 'reportDispenseResult', params: result },
  );
}

/** Locking a slot with an eject in flight would strand the eject, so it is refused. */
export function canLockSlot(context: StationContext, slot: number): boolean {
  const current = context.slots.find((s) => s.slot === slot);
  return !!current && current.state !== 'ejecting';
}

export function onLockSlot(context: StationContext, event: EventOf<'LOCK_SLOT'>): StationStep {
  const current = context.slots.find((s) => s.slot === event.slot);
  if (!current) return unchanged(context);
  const { error: _cleared, ...rest } = current;
  return changed(
    { ...context, slots: replaceSlot(context.slots, { ...rest, state: 'locked' }) },
    { type: 'sendLockSlot', params: slotCommand(event) },
  );
}

export function onUnlockSlot(context: StationContext, event: EventOf<'UNLOCK_SLOT'>): StationStep {
  const current = context.slots.find((s) => s.slot === event.slot);
  if (!current) return unchanged(context);
  return changed(
    { ...context, slots: replaceSlot(context.slots, restSlot(current, context.batteryThreshold)) },
    { type: 'sendUnlockSlot', params: slotCommand(event) },
  );
}

const slotCommand = (event: { slot: number; commandId?: string }) =>
  event.commandId ? { slot: event.slot, commandId: event.commandId } : { slot: event.slot };

/**
 * The station's acknowledgement of a command: told to whoever asked. Like an eject result it is
 * never stale by seq (it answers a command id); it changes nothing about the slots.
 */
export function onCommandAck(context: StationContext, event: EventOf<'COMMAND_ACK'>): StationStep {
  const { commandId, command, ok, error } = event.message;
  return changed(accept(context, event), {
    type: 'reportCommandAck',
    params: error ? { commandId, command, ok, error } : { commandId, command, ok },
  });
}

export function isLocked(context: StationContext, slot: number): boolean {
  return context.slots.find((s) => s.slot === slot)?.state === 'locked';
}

/** The runtime's watchdog fired; a heartbeat that arrived after it decided wins. */
export function isStaleTimeout(context: StationContext, event: EventOf<'HEARTBEAT_TIMEOUT'>): boolean {
  return (
    event.silentSince !== undefined &&
    context.lastHeartbeatAt !== null &&
    context.lastHeartbeatAt > event.silentSince
  );
}

export function onLinkLost(context: StationContext): StationStep {
  return changed({ ...context, connected: false });
}
