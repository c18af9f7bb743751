/**
 * Runs a pgbench script against a database — the "raw" side the end-to-end
 * benchmarks compare their service path with.
 */
import { spawn } from 'node:child_process';

export interface PgbenchRun {
  /** postgres://user:password@host:port/database */
  dbUrl: string;
  scriptPath: string;
  clients: number;
  seconds: number;
  /** pgbench's query protocol: `simple` (its default) sends each statement's text; `prepared` binds values. */
  protocol?: 'simple' | 'prepared';
}

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  output: string;
}

/** Starts pgbench; `done` resolves with its figures once it exits, and rejects if it failed. */
export function startPgbench(run: PgbenchRun): { done: Promise<PgbenchResult> } {
  const url = new URL(run.dbUrl);
  const child = spawn(
    'pgbench',
    [
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      decodeURIComponent(url.username) || 'postgres',
      '-n',
      '-M',
      run.protocol ?? 'simple',
      '-f',
      run.scriptPath,
      '-c',
      String(run.clients),
      '-j',
      '2',
      '-T',
      String(run.seconds),
      url.pathname.slice(1),
    ],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const done = new Promise<PgbenchResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pgbench failed: ${output}`));
      resolve({
        tps: Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0),
        latencyMs: Number(/latency average = ([\d.]+) ms/.exec(output)?.[1] ?? 0),
        output,
      });
    });
  });
  return { done };
}
