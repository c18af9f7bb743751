import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** infra/node-flags: one flag per line, `#` comments. */
export const NODE_FLAGS = readFileSync(`${root}infra/node-flags`, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/**
 * Runs a service entry file (relative to the repository root) as ONE process:
 * node with tsx as an import hook, not the `tsx` CLI, which would put a parent
 * process in front. A SIGKILL must reach the service itself — that is what
 * crash tests are about — and nothing may outlive the test holding its stderr.
 * With the flags of infra/node-flags, as infra/up runs the services.
 */
export function spawnService(
  entry: string,
  env: Record<string, string>,
  /**
   * `stdout: 'pipe'`: the service's log is read from `child.stdout`; `stderr: 'pipe'` too
   * (benchmarks keep both to say why a service failed). By default only stderr is shown.
   */
  options: { stdout?: 'ignore' | 'pipe'; stderr?: 'inherit' | 'pipe' } = {},
): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', `${root}${entry}`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', options.stdout ?? 'ignore', options.stderr ?? 'inherit'],
  });
}

/** Sends `signal` and resolves once the process has exited. */
export function stopService(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
