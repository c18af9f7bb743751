/** One step of a shutdown; `pending` says what it still holds (for the log when it is cut). */
export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
  pending?(): Record<string, number>;
}

interface ShutdownLogger {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

/**
 * On SIGTERM or SIGINT, runs the steps in order — stop accepting, let in-flight work finish,
 * close connections — under one deadline. All done: exit 0. Past the deadline (or a step
 * failing): the steps not finished are logged with what they still held, and the process exits 1
 * instead of waiting forever on work that will not end.
 */
export function shutdownOnSignal(options: {
  logger: ShutdownLogger;
  timeoutMs: number;
  steps: ShutdownStep[];
  exit?: (code: number) => void;
}): void {
  const { logger, steps } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const shutdown = async (signal: string) => {
    logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const unfinished = new Set(steps);
    const run = (async () => {
      for (const step of steps) {
        await step.run();
        unfinished.delete(step);
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), options.timeoutMs);
    });
    const outcome = await Promise.race([
      run.then(
        () => 'done' as const,
        (error: unknown) => error,
      ),
      deadline,
    ]);
    clearTimeout(timer);
    if (outcome === 'done') {
      logger.info({ signal }, 'stopped');
      return exit(0);
    }
    const cut = [...unfinished].map((step) => ({ step: step.name, ...step.pending?.() }));
    if (outcome === 'deadline') {
      logger.error({ cut, timeoutMs: options.timeoutMs }, 'shutdown deadline passed; exiting with work cut');
    } else logger.error({ err: outcome, cut }, 'shutdown failed; exiting with work cut');
    exit(1);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Closes an HTTP server: it stops accepting at once; resolves when its open requests have been answered. */
export function closeServer(server: { close(callback: (error?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
