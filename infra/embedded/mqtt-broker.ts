// In-process MQTT broker (aedes) for machines without Mosquitto. QoS 1,
// retained messages and shared subscriptions work; state is in memory only.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2] ?? 1883);
const host = process.argv[3] ?? '127.0.0.1';
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, host, () => console.log(`embedded mqtt broker listening on ${host}:${port}`));

const stop = () => server.close(() => broker.close(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
