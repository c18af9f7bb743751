import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export type { MqttClient } from 'mqtt';

/**
 * Connects with MQTT 5 and automatic reconnects. `setup` runs before the
 * connection opens, so handlers are in place before a persistent session's
 * stored messages arrive.
 */
export function connectMqtt(
  url: string,
  options: IClientOptions = {},
  setup?: (client: MqttClient) => void,
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    protocolVersion: 5,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    ...options,
  });
  sendWithoutDelay(client);
  setup?.(client);
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(error);
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve(client);
    });
  });
}

/**
 * Turns Nagle's algorithm off on the client's socket at every (re)connect.
 * mqtt.js opens a plain TCP socket, which holds a small write back while an
 * earlier one is unacknowledged: a QoS 1 publish right after a PUBACK then
 * waits for the broker's delayed ACK (~20–40 ms on Linux) — an eject result or
 * command sat there on every rental.
 */
export function sendWithoutDelay(client: MqttClient): void {
  client.on('connect', () => {
    const socket = client.stream as { setNoDelay?: (noDelay: boolean) => unknown };
    socket.setNoDelay?.(true);
  });
}

/**
 * Opens a short connection to see whether the broker answers (and lets these
 * credentials in, when the broker requires them); used by health checks, which must not depend on the long-lived client's reconnect state.
 */
export function mqttIsUp(
  url: string,
  timeoutMs = 1000,
  credentials: Pick<IClientOptions, 'username' | 'password'> = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, {
      ...credentials,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      clientId: `probe-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    });
    const finish = (up: boolean) => {
      clearTimeout(timer);
      client.end(true);
      resolve(up);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    client.once('connect', () => finish(true));
    client.once('error', () => finish(false));
    client.once('close', () => finish(false));
  });
}

/** The service's broker credentials from its environment (MQTT_USERNAME / MQTT_PASSWORD), when set. */
export function mqttCredentials(env: { MQTT_USERNAME?: string; MQTT_PASSWORD?: string }): {
  username?: string;
  password?: string;
} {
  return env.MQTT_USERNAME ? { username: env.MQTT_USERNAME, password: env.MQTT_PASSWORD } : {};
}
