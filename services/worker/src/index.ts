export { JOBS, type JobContext, type JobDefinition, registerJobs } from './jobs.ts';
export { ensurePartitions, expireStale } from './maintenance.ts';
export { type RunningWorker, startWorker, type WorkerDeps } from './worker.ts';
