export { demoStations } from './demo-stations.ts';
export {
  type PowerBankSeed,
  type SimSlot,
  SimulatedStation,
  type StationSeed,
} from './simulated-station.ts';
export {
  createSimulator,
  type Simulator,
  type SimulatorCounters,
  type SimulatorOptions,
  type StationView,
} from './simulator.ts';
