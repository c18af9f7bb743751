import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) process `pid` has used, from /proc (Linux); undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ", in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Pids of the running processes whose command name (`/proc/<pid>/comm`) is `name`; empty off Linux. */
export function pidsNamed(name: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU used by named groups of processes over a window: `start()` reads every
 * group's processes, `stop()` reads them again (and any that appeared since,
 * counted from zero) and gives each group's CPU seconds in between. A process
 * that exits inside the window takes its CPU with it, so groups should be
 * long-lived (services, the database's pooled backends, brokers).
 */
export function cpuWindow(groups: Record<string, () => number[]>) {
  const before = new Map<number, number>();
  return {
    start(): void {
      for (const pids of Object.values(groups)) {
        for (const pid of pids()) before.set(pid, cpuSeconds(pid) ?? 0);
      }
    },
    stop(): Record<string, number> {
      const used: Record<string, number> = {};
      for (const [group, pids] of Object.entries(groups)) {
        used[group] = pids().reduce((sum, pid) => sum + ((cpuSeconds(pid) ?? 0) - (before.get(pid) ?? 0)), 0);
      }
      return used;
    },
  };
}
