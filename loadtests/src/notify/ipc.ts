/**
 * Request and answer between `bench:notify` and the processes it forks (the fake providers, the
 * producer, the baseline loop) over Node's IPC channel: each request carries an id, its answer the
 * same id, so the measurer can ask several processes at once without mixing answers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '@powerbank/testing';

interface Request {
  id: number;
  call: string;
  args: unknown;
}
interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

/** A forked process's calls: `call(name, args)` resolves with its handler's result. */
export interface Child {
  process: ChildProcess;
  call<R>(name: string, args?: unknown): Promise<R>;
  stop(): Promise<void>;
}

/** Forks `file` (next to this one) with the services' node flags and tsx, and opens its calls. */
export function forkChild(file: string, env: Record<string, string> = {}): Child {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execArgv: [...NODE_FLAGS, '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;
  child.on('message', (message: Answer) => {
    const wait = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) wait?.reject(new Error(`${file}: ${message.error}`));
    else wait?.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    for (const wait of waiting.values()) wait.reject(new Error(`${file} exited (${code ?? signal})`));
    waiting.clear();
  });
  process.on('exit', () => child.kill('SIGKILL'));
  return {
    process: child,
    call<R>(name: string, args?: unknown) {
      const id = next++;
      return new Promise<R>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, call: name, args } satisfies Request);
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** In the forked process: answers the parent's calls with `handlers`; exits when the parent goes. */
export function serveCalls(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', async (request: Request) => {
    const handler = handlers[request.call];
    try {
      if (!handler) throw new Error(`no call ${request.call}`);
      const result = await handler(request.args as never);
      process.send?.({ id: request.id, result } satisfies Answer);
    } catch (error) {
      process.send?.({
        id: request.id,
        error: error instanceof Error ? error.stack : String(error),
      } satisfies Answer);
    }
  });
  process.on('disconnect', () => process.exit(0));
}
