export { type RunningStationCore, type StationCoreOptions, startStationCore } from './core.ts';
