import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs a service entry file (relative to the repository root) as ONE process:
 * node with tsx as an import hook, not the `tsx` CLI, which would put a parent
 * process in front. A SIGKILL must reach the service itself — that is what
 * crash tests are about — and nothing may outlive the test holding its stderr.
 * The young generation is sized as infra/up sizes it for the services.
 */
export function spawnService(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', `${root}${entry}`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
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
