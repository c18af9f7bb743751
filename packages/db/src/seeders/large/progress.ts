/** One line per event with the elapsed time since the run started, e.g. `[  12.3s] stations 40,000/100,000 stations (+10,000 in 1.1s)`. */
export function createProgress(write: (line: string) => void = console.log) {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return {
    seconds,
    line: (text: string) => write(`[${seconds().toFixed(1).padStart(7)}s] ${text}`),
    chunk: (
      step: string,
      unit: string,
      last: number,
      total: number,
      rows: number,
      chunkSeconds: number | null,
    ) =>
      write(
        `[${seconds().toFixed(1).padStart(7)}s] ${step.padEnd(36)} ${fmt(last).padStart(11)}/${fmt(total)} ${unit}` +
          (chunkSeconds === null
            ? '  (already there, skipped)'
            : `  (+${fmt(rows)} in ${chunkSeconds.toFixed(1)}s)`),
      ),
  };
}

export type Progress = ReturnType<typeof createProgress>;
