import { describe, expect, it } from 'vitest';
import { ORDER_STATES, type OrderEvent, type OrderState, orderStep } from './market-order-machine.ts';

const ALL_EVENTS: OrderEvent['type'][] = [
  'RESERVE',
  'PAY',
  'EXPIRE',
  'CANCEL',
  'PICKED_UP',
  'RETURNED',
  'SETTLE',
  'DISPUTE',
  'RESOLVE',
];
const step = (state: OrderState, type: OrderEvent['type']) => orderStep(state, { type } as OrderEvent);

/** Every (state, event) pair that moves, with its target and effects; every other pair is refused. */
const MOVES: Record<string, [OrderState, string[]]> = {
  'draft RESERVE': ['reserved', ['blockItems', 'issueInvoice']],
  'draft CANCEL': ['cancelled', []],
  'reserved PAY': ['confirmed', ['chargeInvoice', 'holdDeposit']],
  'reserved EXPIRE': ['expired', ['releaseItems']],
  'reserved CANCEL': ['cancelled', ['releaseItems']],
  'confirmed CANCEL': ['cancelled', ['releaseItems', 'refundByPolicy', 'releaseDeposit']],
  'confirmed PICKED_UP': ['active', ['markItemsRented']],
  'active RETURNED': ['returned', ['markItemsBack']],
  'active DISPUTE': ['disputed', ['openDispute']],
  'returned SETTLE': ['completed', ['settleDeposit']],
  'returned DISPUTE': ['disputed', ['openDispute']],
  'disputed RESOLVE': ['completed', ['settleDeposit']],
};

describe('market order machine', () => {
  it('draft → reserved → confirmed → active → returned → completed', () => {
    const path: [OrderState, OrderEvent['type']][] = [
      ['draft', 'RESERVE'],
      ['reserved', 'PAY'],
      ['confirmed', 'PICKED_UP'],
      ['active', 'RETURNED'],
      ['returned', 'SETTLE'],
    ];
    const reached = path.map(([state, event]) => step(state, event)?.to);
    expect(reached).toEqual(['reserved', 'confirmed', 'active', 'returned', 'completed']);
  });

  it('an unpaid reservation expires, releasing its items; it cannot be paid afterwards', () => {
    expect(step('reserved', 'EXPIRE')).toEqual({
      from: 'reserved',
      to: 'expired',
      effects: ['releaseItems'],
    });
    expect(step('expired', 'PAY')).toBeNull();
    expect(step('confirmed', 'EXPIRE')).toBeNull();
  });

  it('a paid order cancelled is refunded by the policy and its deposit released', () => {
    expect(step('confirmed', 'CANCEL')?.effects).toEqual([
      'releaseItems',
      'refundByPolicy',
      'releaseDeposit',
    ]);
    expect(step('active', 'CANCEL')).toBeNull();
  });

  it('a paid order is not paid twice', () => {
    expect(step('confirmed', 'PAY')).toBeNull();
  });

  it('every state × every event: the listed moves, nothing else', () => {
    for (const state of ORDER_STATES) {
      for (const event of ALL_EVENTS) {
        const expected = MOVES[`${state} ${event}`];
        const got = step(state, event);
        if (expected) {
          expect(got, `${state} ${event}`).toEqual({ from: state, to: expected[0], effects: expected[1] });
        } else {
          expect(got, `${state} ${event}`).toBeNull();
        }
      }
    }
  });

  it('completed, cancelled and expired are final', () => {
    for (const state of ['completed', 'cancelled', 'expired'] as const) {
      expect(ALL_EVENTS.map((e) => step(state, e)).every((s) => s === null)).toBe(true);
    }
  });
});
