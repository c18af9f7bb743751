import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_TOPIC_ROOT } from '@powerbank/protocol';
import { connectMqtt, type MqttClient } from './mqtt.ts';

/**
 * Broker accounts through Mosquitto's dynamic-security plugin: every station
 * has its own username (its serial), password and client id, and a role that
 * lets it publish only on its own up topics and subscribe only to its own down
 * topics; each service has its own account: the bridge's may relay any
 * station's traffic, the api's (a health probe) may only connect.
 *
 * Why dynamic security rather than a password file and an `acl_file`: accounts
 * change while the broker runs, over MQTT, from wherever provisioning runs (the
 * admin api, a CLI), take effect at once and can be revoked at once; a password
 * file must be rewritten on the broker's host and the broker signalled to
 * reload. Mosquitto 2.0's plugin does not expand `%u`/`%c` in its ACLs, so each
 * station gets a role of its own naming its topics.
 */

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;

export interface BrokerCredentials {
  username: string;
  password: string;
}

/** What a station is given when it is provisioned: it connects with these and client id `clientId`. */
export interface StationCredentials extends BrokerCredentials {
  clientId: string;
}

type Acl = { acltype: string; topic: string; allow: boolean };
type Command = { command: string } & Record<string, unknown>;
interface Response {
  command: string;
  error?: string;
  correlationData?: string;
}

/** The topics a station may use, under `root`: publish its own up topics, subscribe to its own down topics. */
export function stationAcls(root: string, sn: string): Acl[] {
  return [
    { acltype: 'publishClientSend', topic: `${root}/${sn}/up/+`, allow: true },
    { acltype: 'subscribePattern', topic: `${root}/${sn}/down/+`, allow: true },
  ];
}

/** The bridge: every station's up traffic, in a shared group or not, and commands down. */
export function bridgeAcls(root: string): Acl[] {
  return [
    { acltype: 'subscribePattern', topic: `$share/+/${root}/+/up/+`, allow: true },
    { acltype: 'subscribePattern', topic: `${root}/+/up/+`, allow: true },
    { acltype: 'publishClientSend', topic: `${root}/+/down/+`, allow: true },
  ];
}

/**
 * What a service account may do: `bridge` relays stations' traffic (one role per topic root: fleets
 * or benchmarks under other roots on one broker get their own); `probe` may only connect (health checks).
 */
export type ServiceKind = 'bridge' | 'probe';
const serviceRole = (kind: ServiceKind, root: string) => (kind === 'bridge' ? `bridge:${root}` : 'probe');
const stationRole = (sn: string) => `station:${sn}`;

/** A fresh secret: 32 random bytes, URL-safe. */
export const newBrokerPassword = () => randomBytes(32).toString('base64url');

export interface BrokerAdmin {
  /**
   * Provisions a station's account, or gives an existing one a new password (the old one stops
   * working). The password is `password` when given, else a new one; the caller hands it to the
   * station — the broker keeps only its hash. `keepExisting`: an existing account keeps its password
   * (the dev stack re-provisions its stations on every start without cutting off running ones).
   * Either way the station's role names this admin's topic root.
   */
  issueStationCredentials(
    sn: string,
    options?: { password?: string; keepExisting?: boolean },
  ): Promise<StationCredentials>;
  /** Creates (or updates the password of) a service account. */
  ensureServiceAccount(credentials: BrokerCredentials, kind: ServiceKind): Promise<void>;
  /** Removes a station's account and role: it can no longer connect (a connected one is dropped). */
  revokeStation(sn: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the broker as its dynamic-security admin. `topicRoot` is the fleet's MQTT_TOPIC_ROOT. */
export async function openBrokerAdmin(
  url: string,
  admin: BrokerCredentials,
  options: { topicRoot?: string; timeoutMs?: number } = {},
): Promise<BrokerAdmin> {
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const waiting = new Map<string, (response: Response) => void>();
  const client: MqttClient = await connectMqtt(url, {
    ...admin,
    clientId: `broker-admin-${randomUUID()}`,
    clean: true,
    reconnectPeriod: 0,
  });
  client.on('message', (_topic, payload) => {
    const { responses = [] } = JSON.parse(payload.toString()) as { responses?: Response[] };
    for (const response of responses) {
      const done = response.correlationData && waiting.get(response.correlationData);
      if (done) done(response);
    }
  });
  await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });

  /** Sends commands in one control message; resolves with each command's response, in order. */
  async function run(commands: Command[]): Promise<Response[]> {
    const ids = commands.map(() => randomUUID());
    const answers = ids.map(
      (id) =>
        new Promise<Response>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiting.delete(id);
            reject(
              new Error(
                `the broker did not answer dynamic-security commands (is ${admin.username} its admin?)`,
              ),
            );
          }, options.timeoutMs ?? 5000);
          waiting.set(id, (response) => {
            clearTimeout(timer);
            waiting.delete(id);
            resolve(response);
          });
        }),
    );
    await client.publishAsync(
      CONTROL_TOPIC,
      JSON.stringify({ commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) }),
      { qos: 1 },
    );
    return Promise.all(answers);
  }

  /** Fails on any error but the ones listed (an account or role that already exists, …). */
  const check = (responses: Response[], tolerated: RegExp = /$^/) => {
    const failed = responses.filter((r) => r.error && !tolerated.test(r.error));
    if (failed.length)
      throw new Error(`broker refused: ${failed.map((r) => `${r.command}: ${r.error}`).join('; ')}`);
    return responses;
  };

  /** A role with `acls`, then an account with that role, or a new password for an existing account. */
  async function ensureAccount(
    role: string,
    acls: Acl[],
    account: BrokerCredentials & { clientid?: string },
    keepExisting = false,
  ): Promise<void> {
    const [roleMade, created] = check(
      await run([
        { command: 'createRole', rolename: role, acls },
        { command: 'createClient', ...account, roles: [{ rolename: role }] },
      ]),
      /already exists/,
    );
    // A role made earlier names the topics of its time (another topic root, an older version's
    // ACLs): it is given this call's, so the account may use what it was just provisioned for.
    if (roleMade?.error) check(await run([{ command: 'modifyRole', rolename: role, acls }]));
    // An account made earlier (by this function, so with its role): a new password only.
    if (created?.error && !keepExisting)
      check(
        await run([{ command: 'setClientPassword', username: account.username, password: account.password }]),
      );
  }

  return {
    async issueStationCredentials(sn, { password = newBrokerPassword(), keepExisting = false } = {}) {
      // The client id is bound to the account: no other account can take over the station's session.
      await ensureAccount(
        stationRole(sn),
        stationAcls(root, sn),
        { username: sn, password, clientid: sn },
        keepExisting,
      );
      return { username: sn, password, clientId: sn };
    },
    async ensureServiceAccount({ username, password }, kind) {
      await ensureAccount(serviceRole(kind, root), kind === 'bridge' ? bridgeAcls(root) : [], {
        username,
        password,
      });
    },
    async revokeStation(sn) {
      check(
        await run([
          { command: 'deleteClient', username: sn },
          { command: 'deleteRole', rolename: stationRole(sn) },
        ]),
        /not found/i,
      );
    },
    async close() {
      await client.endAsync();
    },
  };
}
