// `broker:accounts`: provisions broker accounts with the broker's dynamic-security admin
// (MQTT_ADMIN_USERNAME / MQTT_ADMIN_PASSWORD, MQTT_URL, MQTT_TOPIC_ROOT).
//   service NAME [FILE]
//                   a service's account, NAME `bridge` (relays every station's traffic) or `api` (may only
//                   connect: its health probe); username powerbank-NAME, password MQTT_<NAME>_PASSWORD when
//                   set, else the one kept in FILE, else a new one; written to FILE (MQTT_USERNAME=…,
//                   MQTT_PASSWORD=…, the service's environment), so a restart of the dev stack keeps it
//   stations FILE STORE
//                   an account for every station of FILE (what export:stations writes), each password
//                   written into FILE for the simulator; passwords are kept in STORE ({ sn: password }),
//                   and a station found there keeps its account as it is, so running stations stay connected
// The admin api will call the same function (issueStationCredentials) when it provisions a station.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { brokerAdminEnv, parseConfig } from '@powerbank/config';
import { newBrokerPassword, openBrokerAdmin } from '@powerbank/messaging';

const [command, ...args] = process.argv.slice(2);
const services = { bridge: 'bridge', api: 'probe' } as const;
const serviceName = args[0] as keyof typeof services;
if (!(command === 'service' && serviceName in services) && !(command === 'stations' && args.length === 2)) {
  console.error('usage: broker:accounts service bridge|api [FILE] | stations FILE STORE');
  process.exit(2);
}
const env = parseConfig(brokerAdminEnv);
const admin = await openBrokerAdmin(
  env.MQTT_URL,
  { username: env.MQTT_ADMIN_USERNAME, password: env.MQTT_ADMIN_PASSWORD },
  { topicRoot: env.MQTT_TOPIC_ROOT },
);
/** Secrets stay readable by this user only. */
const writeSecret = (path: string, text: string) => writeFileSync(path, text, { mode: 0o600 });

async function serviceAccount(name: keyof typeof services, envFile: string | undefined): Promise<void> {
  const kept =
    envFile && existsSync(envFile)
      ? Object.fromEntries(
          readFileSync(envFile, 'utf8')
            .trim()
            .split('\n')
            .map((line) => line.split('=', 2)),
        )
      : {};
  const credentials = {
    username: `powerbank-${name}`,
    password: process.env[`MQTT_${name.toUpperCase()}_PASSWORD`] ?? kept.MQTT_PASSWORD ?? newBrokerPassword(),
  };
  await admin.ensureServiceAccount(credentials, services[name]);
  if (envFile)
    writeSecret(envFile, `MQTT_USERNAME=${credentials.username}\nMQTT_PASSWORD=${credentials.password}\n`);
}

async function stationAccounts(stationsFile: string, storeFile: string): Promise<void> {
  const stations = JSON.parse(readFileSync(stationsFile, 'utf8')) as { sn: string; password?: string }[];
  const kept: Record<string, string> = existsSync(storeFile)
    ? JSON.parse(readFileSync(storeFile, 'utf8'))
    : {};
  for (const station of stations) {
    const known = kept[station.sn];
    const issued = await admin.issueStationCredentials(station.sn, {
      password: known,
      keepExisting: !!known,
    });
    station.password = kept[station.sn] = issued.password;
  }
  writeSecret(storeFile, JSON.stringify(kept));
  writeSecret(stationsFile, JSON.stringify(stations, null, 1));
  console.log(`broker:accounts: ${stations.length} station accounts`);
}

try {
  if (command === 'service') await serviceAccount(serviceName, args[1]);
  else await stationAccounts(args[0]!, args[1]!);
} finally {
  await admin.close();
}
