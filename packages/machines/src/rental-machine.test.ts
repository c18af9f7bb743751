import { describe, expect, it } from 'vitest';
import { RENTAL_STATES, type RentalContext, type RentalEvent, type RentalState } from './rental-machine.ts';
import { rentalStep } from './rental-step.ts';

const ctx = (over: Partial<RentalContext> = {}): RentalContext => ({
  extensionCount: 0,
  maxExtensions: 3,
  dueAt: 10_000_000,
  dueAmount: 0,
  refunded: false,
  ...over,
});
const step = (state: RentalState, event: RentalEvent, over: Partial<RentalContext> = {}) =>
  rentalStep(state, ctx(over), event);
const dispensed: RentalEvent = { type: 'DISPENSED', slot: 1, powerBankSerial: 'PB-1' };
const returned: RentalEvent = { type: 'RETURNED', stationSn: 'S2', slot: 3, at: 1 };

describe('rental machine', () => {
  it('pending → dispensing → active, notifying the start', () => {
    expect(step('pending', { type: 'DISPENSE_SENT' })).toMatchObject({
      to: 'dispensing',
      effects: ['markDispensing'],
    });
    expect(step('dispensing', dispensed)).toMatchObject({
      to: 'active',
      effects: ['activate', 'notifyStarted'],
    });
    expect(step('pending', dispensed)?.to).toBe('active');
  });
  it('a failed or timed-out eject → failed, refunded once', () => {
    const failed = step('dispensing', { type: 'DISPENSE_FAILED', reason: 'timeout' });
    expect(failed).toMatchObject({ to: 'failed', effects: ['refund', 'notifyFailed'] });
    expect(failed?.context.refunded).toBe(true);
    expect(step('failed', { type: 'DISPENSE_FAILED', reason: 'timeout' }, { refunded: true })).toBeNull();
  });
  it('a late success turns a failed rental active and reverses the refund', () => {
    const late = step('failed', { ...dispensed, late: true }, { refunded: true });
    expect(late).toMatchObject({
      to: 'active',
      effects: ['activate', 'reverseRefund', 'notifyStarted'],
    });
    expect(late?.context.refunded).toBe(false);
    // The same late success again: already active, nothing happens.
    expect(step('active', { ...dispensed, late: true })).toBeNull();
  });
  it('due soon notifies, overdue moves on, max reached closes as lost and charges the price', () => {
    expect(step('active', { type: 'DUE_SOON' })).toMatchObject({ to: 'active', effects: ['notifyDueSoon'] });
    expect(step('active', { type: 'OVERDUE' })).toMatchObject({ to: 'overdue', effects: ['notifyOverdue'] });
    expect(step('overdue', { type: 'OVERDUE' })).toBeNull();
    expect(step('overdue', { type: 'MAX_REACHED' })).toMatchObject({
      to: 'lost',
      effects: ['chargeLostPrice', 'notifyLost'],
    });
    expect(step('active', { type: 'MAX_REACHED' })).toBeNull();
  });
  it('return from active or overdue → returned with settlement; then settled with what is owed', () => {
    expect(step('active', returned)).toMatchObject({ to: 'returned', effects: ['settle', 'notifyReturned'] });
    expect(step('overdue', returned)?.to).toBe('returned');
    expect(step('returned', returned)).toBeNull();
    const settled = step('returned', { type: 'SETTLED', dueAmount: 250 });
    expect(settled).toMatchObject({ to: 'settled' });
    expect(settled?.context.dueAmount).toBe(250);
  });
  it('pay-due only with a due', () => {
    expect(step('settled', { type: 'PAY_DUE' }, { dueAmount: 250 })).toMatchObject({
      to: 'settled',
      effects: ['collectDue'],
    });
    expect(step('settled', { type: 'PAY_DUE' })).toBeNull();
    expect(step('lost', { type: 'PAY_DUE' }, { dueAmount: 3000 })?.effects).toEqual(['collectDue']);
  });
  it('a due is paid whatever the status (a late success records one on an active rental)', () => {
    for (const state of RENTAL_STATES.filter((s) => s !== 'cancelled')) {
      const paid = step(state, { type: 'PAY_DUE' }, { dueAmount: 800 });
      expect(paid, state).toMatchObject({ to: state, effects: ['collectDue'] });
      expect(paid?.context.dueAmount).toBe(0);
      expect(step(state, { type: 'PAY_DUE' }), state).toBeNull();
    }
  });
  it('extend: only while active, before due, at most max times', () => {
    const ok = step('active', { type: 'EXTEND', now: 0, minutes: 60 });
    expect(ok).toMatchObject({ to: 'active', effects: ['chargeExtension'] });
    expect(ok?.context).toMatchObject({ extensionCount: 1, dueAt: 10_000_000 + 3_600_000 });
    expect(step('active', { type: 'EXTEND', now: 10_000_001, minutes: 60 })).toBeNull();
    expect(step('active', { type: 'EXTEND', now: 0, minutes: 60 }, { extensionCount: 3 })).toBeNull();
    expect(step('overdue', { type: 'EXTEND', now: 0, minutes: 60 })).toBeNull();
  });
  it('cancel: while pending, or active with the power bank back', () => {
    expect(step('pending', { type: 'CANCEL', powerBankBack: false })).toMatchObject({
      to: 'cancelled',
      effects: ['refundCancelled'],
    });
    expect(step('active', { type: 'CANCEL', powerBankBack: false })).toBeNull();
    expect(step('active', { type: 'CANCEL', powerBankBack: true })?.to).toBe('cancelled');
    expect(step('dispensing', { type: 'CANCEL', powerBankBack: true })).toBeNull();
  });
  it('staff waive part of a due, or all of it, whatever the status; nothing to waive → no step', () => {
    const part = step('settled', { type: 'WAIVE_DUE', amount: 300 }, { dueAmount: 800 });
    expect(part).toMatchObject({ to: 'settled', effects: ['waiveDue'] });
    expect(part?.context.dueAmount).toBe(500);
    expect(step('lost', { type: 'WAIVE_DUE', amount: 5000 }, { dueAmount: 800 })?.context.dueAmount).toBe(0);
    expect(step('settled', { type: 'WAIVE_DUE', amount: 300 })).toBeNull();
  });
  it('staff close a stuck rental: lost from active or overdue, refunded from any open status without a due', () => {
    for (const state of ['active', 'overdue'] as const) {
      expect(step(state, { type: 'MARK_LOST' })).toMatchObject({
        to: 'lost',
        effects: ['chargeLostPrice', 'notifyLost'],
      });
    }
    for (const state of ['pending', 'dispensing', 'active', 'overdue'] as const) {
      expect(step(state, { type: 'FORCE_REFUND' })).toMatchObject({
        to: 'cancelled',
        effects: ['refund', 'closeRefunded'],
      });
      expect(step(state, { type: 'FORCE_REFUND' }, { dueAmount: 100 }), state).toBeNull();
    }
    for (const state of ['pending', 'settled', 'lost', 'failed'] as const) {
      expect(step(state, { type: 'MARK_LOST' }), state).toBeNull();
    }
    expect(step('settled', { type: 'FORCE_REFUND' })).toBeNull();
  });
  it('terminal states take nothing', () => {
    for (const event of [dispensed, returned, { type: 'OVERDUE' } as const]) {
      expect(step('cancelled', event)).toBeNull();
      expect(step('settled', event)).toBeNull();
    }
  });
});
