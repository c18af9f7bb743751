import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './nats-server.ts';

const startScript = fileURLToPath(new URL('../../../infra/mosquitto/start', import.meta.url));

/**
 * A private Mosquitto on a free port, run from the project's own broker config
 * (accounts required, dynamic security) exactly as the dev stack runs it, for
 * tests of the broker's boundary: the shared test broker lets anyone in.
 */
export async function startPrivateMosquitto() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'pb-mosquitto-'));
  const child: ChildProcess = spawn('bash', [startScript, '127.0.0.1', String(port), dataDir], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitForPort(port, true);
  const admin = Object.fromEntries(
    readFileSync(join(dataDir, 'admin.env'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return {
    url: `mqtt://127.0.0.1:${port}`,
    /** The dynamic-security admin the first start created. */
    admin: { username: admin.MQTT_ADMIN_USERNAME!, password: admin.MQTT_ADMIN_PASSWORD! },
    async dispose() {
      child.kill('SIGKILL');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
