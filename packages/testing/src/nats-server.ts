import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The installed nats-server, wherever the distribution or PATH put it; undefined when there is none. */
export function installedNatsServer(): string | undefined {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.map((dir) => join(dir, 'nats-server')).find((candidate) => existsSync(candidate));
}

/** The nats-server to run (the bare name, for a clear spawn error, when none is installed). */
export function natsServerBinary(): string {
  return installedNatsServer() ?? 'nats-server';
}

/**
 * A private nats-server (JetStream on) that a test may stop and start again,
 * for outage tests that must never touch the shared server.
 */
export async function startPrivateNatsServer() {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'pb-nats-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(natsServerBinary(), ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: 'ignore',
    });
    await waitForPort(port, true);
  };
  const stop = async () => {
    if (!child) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    child = undefined;
    await waitForPort(port, false);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once 127.0.0.1:port accepts connections (`open`) or refuses them. */
export async function waitForPort(port: number, open: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (isOpen === open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} did not become ${open ? 'open' : 'closed'}`);
}

const createConnection = (port: number) => netConnect({ port, host: '127.0.0.1' });
