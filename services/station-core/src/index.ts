export { type RunningStationCore, type StationCoreOptions, startStationCore } from './core.ts';
// The compiled batch writes, for the benchmarks' raw scripts (textWith).
export { SAVE_SNAPSHOTS, UPDATE_STATIONS, UPSERT_SLOTS } from './station-store.ts';
