/**
 * Runs teardown steps one after another, each given at most `stepMs`: a step
 * still running then is named on stderr and left behind, so one stuck close
 * (a broker connection mid-reconnect under a loaded suite) cannot time out the
 * whole `afterAll` and fail a file whose tests passed. A step that throws is
 * named the same way; the rest still run.
 */
export async function tearDown(steps: [label: string, step: () => Promise<unknown>][], stepMs = 10_000) {
  for (const [label, step] of steps) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), stepMs);
    });
    try {
      const outcome = await Promise.race([step().then(() => 'done' as const), late]);
      if (outcome === 'late')
        console.warn(`teardown: "${label}" still running after ${stepMs} ms; moving on`);
    } catch (error) {
      console.warn(`teardown: "${label}" failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
