import type { StationEffect } from '@powerbank/machines';

const EFFECT_TYPES = new Set<StationEffect['type']>([
  'sendEject',
  'sendSync',
  'sendLockSlot',
  'sendUnlockSlot',
  'reportDispenseResult',
  'reportCommandAck',
  'reportReturn',
  'reportMissing',
  'persist',
]);

/**
 * The named side effects of one pure transition, in order. XState's own
 * actions (assign) are already applied to the snapshot and are skipped.
 */
export function effectsOf(actions: readonly { type: string; params?: unknown }[]): StationEffect[] {
  const effects: StationEffect[] = [];
  for (const action of actions) {
    if (EFFECT_TYPES.has(action.type as StationEffect['type'])) {
      effects.push(
        (action.params === undefined
          ? { type: action.type }
          : { type: action.type, params: action.params }) as StationEffect,
      );
    }
  }
  return effects;
}
