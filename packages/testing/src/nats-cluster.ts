import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, natsServerBinary, waitForPort } from './nats-server.ts';

/** The node config `NATS_CLUSTER=1 infra/services` runs too: the tests run the cluster the dev stack runs. */
const nodeConfig = fileURLToPath(new URL('../../../infra/nats/cluster-node.conf', import.meta.url));

export interface NatsCluster {
  /** Every node's client URL, as NATS_URL takes them (a comma list). */
  url: string;
  nodes: { name: string; url: string; port: number }[];
  /** SIGKILLs node `i` (no goodbye to its peers or clients) and waits until its port is closed. */
  kill(i: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A private three-node NATS cluster with JetStream on free loopback ports, from
 * `infra/nats/cluster-node.conf`, for tests that take a node away. Resolves once
 * every node listens; streams created on it get 3 replicas (`ensureStream`).
 */
export async function startNatsCluster(): Promise<NatsCluster> {
  const storeDir = mkdtempSync(join(tmpdir(), 'pb-nats-cluster-'));
  const ports = await Promise.all(
    [0, 1, 2].map(async () => ({ client: await freePort(), route: await freePort() })),
  );
  const routes = Object.fromEntries(
    ports.map((p, i) => [`NATS_ROUTE_${i + 1}`, `nats://127.0.0.1:${p.route}`]),
  );
  const nodes = ports.map((p, i) => ({
    name: `n${i + 1}`,
    url: `nats://127.0.0.1:${p.client}`,
    port: p.client,
  }));
  const children: (ChildProcess | undefined)[] = nodes.map((node, i) =>
    spawn(natsServerBinary(), ['-c', nodeConfig], {
      stdio: 'ignore',
      env: {
        ...process.env,
        ...routes,
        NATS_NODE_NAME: node.name,
        NATS_CLIENT_PORT: String(node.port),
        NATS_CLUSTER_PORT: String(ports[i]!.route),
        NATS_STORE_DIR: join(storeDir, node.name),
      },
    }),
  );
  // A test that times out in its teardown must not leave the nodes running after its worker exits.
  const killAll = () => {
    for (const child of children) child?.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const kill = async (i: number) => {
    const child = children[i];
    if (!child) return;
    children[i] = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitForPort(nodes[i]!.port, false);
  };
  const dispose = async () => {
    await Promise.all(nodes.map((_, i) => kill(i)));
    process.removeListener('exit', killAll);
    rmSync(storeDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((node) => waitForPort(node.port, true)));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { url: nodes.map((node) => node.url).join(','), nodes, kill, dispose };
}
