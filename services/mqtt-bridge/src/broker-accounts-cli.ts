// `broker:accounts`: provisions broker accounts with the broker's dynamic-security admin
// (MQTT_ADMIN_USERNAME / MQTT_ADMIN_PASSWORD, MQTT_URL, MQTT_TOPIC_ROOT).
//   service [FILE]  the services' account: MQTT_USERNAME / MQTT_PASSWORD when set, else those kept in FILE,
//                   else new ones; written to FILE (so a restart of the dev stack keeps them)
//   stations FILE   an account for every station of FILE (what export:stations writes), each
//                   password written into the file for the simulator
// The admin api will call the same function (issueStationCredentials) when it provisions a station.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { brokerAdminEnv, parseConfig } from '@powerbank/config';
import { newBrokerPassword, openBrokerAdmin } from '@powerbank/messaging';

const [command, file] = process.argv.slice(2);
if ((command !== 'service' && command !== 'stations') || (command === 'stations' && !file)) {
  console.error('usage: broker:accounts service [FILE] | stations FILE');
  process.exit(2);
}
const env = parseConfig(brokerAdminEnv);
const admin = await openBrokerAdmin(
  env.MQTT_URL,
  { username: env.MQTT_ADMIN_USERNAME, password: env.MQTT_ADMIN_PASSWORD },
  { topicRoot: env.MQTT_TOPIC_ROOT },
);
try {
  if (command === 'service') {
    const kept =
      file && existsSync(file)
        ? Object.fromEntries(
            readFileSync(file, 'utf8')
              .trim()
              .split('\n')
              .map((line) => line.split('=', 2)),
          )
        : {};
    const credentials = {
      username: env.MQTT_USERNAME ?? kept.MQTT_USERNAME ?? 'powerbank-services',
      password: env.MQTT_PASSWORD ?? kept.MQTT_PASSWORD ?? newBrokerPassword(),
    };
    await admin.ensureServiceAccount(credentials);
    if (file)
      writeFileSync(file, `MQTT_USERNAME=${credentials.username}\nMQTT_PASSWORD=${credentials.password}\n`, {
        mode: 0o600,
      });
  } else {
    const stations = JSON.parse(readFileSync(file!, 'utf8')) as { sn: string; password?: string }[];
    for (const station of stations)
      station.password = (await admin.issueStationCredentials(station.sn)).password;
    writeFileSync(file!, JSON.stringify(stations, null, 1), { mode: 0o600 });
    console.log(`broker:accounts: ${stations.length} station accounts issued`);
  }
} finally {
  await admin.close();
}
