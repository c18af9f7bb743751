/**
 * A slot holding a power bank charged at least this much offers it for rent
 * (`ready`); below it the slot is `charging`. Same figure as the default of
 * AppConfig `rental_min_battery_pct`, so seeded stations look like live ones.
 */
export const READY_BATTERY_PCT = 20;

export const occupiedSlotStatus = (batteryLevel: number): 'ready' | 'charging' =>
  batteryLevel >= READY_BATTERY_PCT ? 'ready' : 'charging';
