import type { ChildProcess } from 'node:child_process';

/**
 * Keeps the last `size` lines a child process wrote on stdout and stderr (its
 * logs go to stdout), so a benchmark whose service fails can say why instead
 * of only that it is not ready. The pipes are read to the end either way: an
 * unread pipe would stall the child once its buffer filled.
 */
export function keepOutputTail(child: ChildProcess, size = 40): () => string {
  const lines: string[] = [];
  let partial = '';
  const take = (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > size) lines.splice(0, lines.length - size);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => [...lines, partial].filter(Boolean).join('\n') || '(no output)';
}

/** What a readiness probe got: the status (none without an answer) and, for a failure, what it said. */
export async function probe(url: string): Promise<{ status: number | undefined; seen: string }> {
  try {
    const response = await fetch(url);
    const body = response.status >= 400 ? ` ${(await response.text()).slice(0, 300)}` : '';
    return { status: response.status, seen: `${response.status}${body}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: undefined, seen: cause?.code ?? cause?.message ?? String(error) };
  }
}
