import { availableParallelism } from 'node:os';
import { DEFAULT_TOPIC_ROOT, TOPIC_ROOT_PATTERN } from '@powerbank/protocol';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const urlOf = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
const url = (protocols: string[], fallback: string) => urlOf(protocols).default(fallback);

/** The servers of a comma list of URLs (`nats://a:4222,nats://b:4222`), blanks around commas ignored. */
export const urlList = (value: string): string[] =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
/** One URL or a comma list of them (the nodes of a cluster), each of the protocols. */
const urlsOf = (protocols: string[], fallback: string) =>
  z
    .string()
    .refine(
      (value) => {
        const urls = urlList(value);
        return urls.length > 0 && urls.every((each) => urlOf(protocols).safeParse(each).success);
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, or a comma list of them`,
    )
    .default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/**
 * NODE_ENV, read here only: services parse it with their config; code that
 * decides before any config is parsed (module-level choices) calls `nodeEnvOf`.
 * Anything but the three names counts as production there (the config refuses it).
 */
const NODE_ENVS = ['development', 'test', 'production'] as const;
const nodeEnv = z.enum(NODE_ENVS).default('development');
export function nodeEnvOf(env: NodeJS.ProcessEnv = process.env): (typeof NODE_ENVS)[number] {
  const parsed = nodeEnv.safeParse(env.NODE_ENV || undefined);
  return parsed.success ? parsed.data : 'production';
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** How stations and the bridge meet on the broker. */
const mqttEnv = {
  MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:'], 'mqtt://127.0.0.1:1883'),
  /**
   * First topic level(s) of every station topic (`{root}/{sn}/up/{kind}`). Fleets
   * (or test runs) on one broker with different roots never hear each other.
   */
  MQTT_TOPIC_ROOT: z
    .string()
    .regex(TOPIC_ROOT_PATTERN, 'topic levels of letters, digits, _ and - separated by /')
    .default(DEFAULT_TOPIC_ROOT),
  /**
   * The service's own account when the broker requires one (the project's broker config does;
   * see infra/README.md); unset, the service connects anonymously.
   */
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD: z.string().optional(),
};

/** Shared by every service: where the three real servers are and how to log. */
export const commonEnv = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/powerbank'),
  /** Optional read replica for analytics queries; the primary serves them when unset. */
  DATABASE_READ_URL: urlOf(['postgres:', 'postgresql:']).optional(),
  /**
   * Connections every service of the deployment may hold together; each process's pool is its
   * service's share (connection-budget.ts). Keep it below Postgres's max_connections: the rest is
   * for migrations, jobs, replicas and an operator's psql.
   */
  DB_CONNECTION_BUDGET: z.coerce.number().int().min(3).default(60),
  /** Connections kept when idle; DB_POOL_MAX (unset: the service's share of the budget) is the ceiling. */
  DB_POOL_MIN: z.coerce.number().int().min(0).default(2),
  DB_POOL_MAX: z.coerce.number().int().min(1).optional(),
  /** Connections above DB_POOL_MIN idle this long are closed: a burst's connections go back within seconds. */
  DB_POOL_IDLE_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Deadlines (0 = none): waiting for a pool connection, one statement, one row or table lock. */
  DB_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** On SIGTERM/SIGINT, how long in-flight work may finish before the process exits anyway (code 1). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * The NATS server, or every node of a cluster as a comma list: the client connects to any of
   * them and moves to another when its node goes away (infra/README.md, "NATS cluster").
   */
  NATS_URL: urlsOf(['nats:', 'tls:'], 'nats://127.0.0.1:4222'),
  ...mqttEnv,
  /** Prefix for JetStream stream names and subjects, so test runs never share a stream with the dev stack. */
  NATS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only')
    .default(''),
  /**
   * Partitions of the station events (bridge and station-core alike: the bridge publishes to a
   * station's partition, each partition is one consumer owned by one core instance). Changing it
   * needs the pipeline drained first (infra/scaling.md).
   */
  CORE_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(1),
});
export type CommonEnv = z.infer<typeof commonEnv>;

/**
 * Where texts and pushes leave the system (the api's sign-in codes, the worker's notices). A
 * provider is `local` (nothing leaves the machine) unless chosen; Twilio and FCM need their keys.
 */
const providerEnv = {
  /**
   * `local` sends nothing: sms_fcm_log (codes masked), and the log in development. `loadtest` is
   * `local` plus `GET /api/loadtest/last-code?phone=` for the reserved phones +1555010xxxx only, so
   * k6 can sign in; refused in production.
   */
  SMS_PROVIDER: z.enum(['local', 'twilio', 'loadtest']).default('local'),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  /** The sender: a Twilio number (E.164) or a Messaging Service SID (`MG…`). */
  TWILIO_FROM: z.string().optional(),
  /** Serves Twilio's REST API elsewhere (tests, a proxy); default Twilio's own hosts. */
  TWILIO_API_BASE_URL: urlOf(['http:', 'https:']).optional(),
  PUSH_PROVIDER: z.enum(['local', 'fcm']).default('local'),
  /** The Firebase service account: its JSON (or the path of its file). */
  FCM_SERVICE_ACCOUNT: z.string().optional(),
  /** Sends every FCM request (`messages:send` and the OAuth token) to this host instead (tests, a proxy). */
  FCM_API_BASE_URL: urlOf(['http:', 'https:']).optional(),
  /** A provider that has not answered after this long counts as failed (and is retried). */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
};

/** Defaults that only development and tests may run with: production refuses them (`refuseDevSecrets`). */
export const DEV_APP_SECRET = 'dev-secret-change-me-please';
export const DEV_SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret-change-me';

/** The api's settings before the checks across them (`apiEnv`). */
const apiFields = commonEnv.extend({
  /**
   * The broker's dynamic-security admin, for issuing a station's credentials when an admin provisions
   * it (and revoking them at retirement). Unset: no credentials are issued (an anonymous broker, CI).
   */
  MQTT_ADMIN_USERNAME: z.string().min(1).default('admin'),
  MQTT_ADMIN_PASSWORD: z.string().min(1).optional(),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  /**
   * Processes serving the port (node:cluster): a number, or `auto` for one per
   * CPU. Each worker keeps its own caches and station directory and gets an equal
   * share of DB_POOL_MIN and the api's pool, so the api's connection count stays the same.
   */
  API_WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)])
    .default(1)
    .transform((value) => (value === 'auto' ? availableParallelism() : value)),
  /** HMAC key for signed things the api hands out (webhook signatures, upload URLs). Must be changed in production. */
  APP_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_APP_SECRET),
  TRUST_PROXY: bool(false),
  /** Rate limiting: one window for both limits; counted per signed-in user, else per client IP. */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Requests per window to auth paths (`/api/auth/*`, `/trpc/auth.*`), any method. */
  RATE_LIMIT_AUTH_MAX: z.coerce.number().int().min(1).default(20),
  /** Write requests (POST/PUT/PATCH/DELETE) per window on `/api` and `/trpc`, auth paths (counted above) left out. */
  RATE_LIMIT_WRITE_MAX: z.coerce.number().int().min(1).default(120),
  /** GET/HEAD requests per window by a caller not signed in, per IP and api process (cached static answers not counted). */
  RATE_LIMIT_READ_MAX: z.coerce.number().int().min(1).default(1200),
  /** Largest request body accepted on `/api` and `/trpc` (uploads set their own limit). */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Safety net for the static-table cache: entries expire even if an invalidation message was missed. */
  STATIC_CACHE_TTL_MS: z.coerce.number().int().min(0).default(300_000),
  /** Bound of the serialized REST answers the static cache keeps (least recently used go first). */
  STATIC_RESPONSE_CACHE_MAX_BYTES: z.coerce.number().int().min(1024).default(16_777_216),
  /**
   * The api's in-memory station directory (nearby search): a read older than
   * REFRESH starts a refresh of the stations changed since the last one and answers
   * from what it has; a read older than MAX_STALE waits for it. FULL_RELOAD re-reads
   * everything (the net for deletions, which the change query cannot see).
   */
  STATION_DIRECTORY_REFRESH_MS: z.coerce.number().int().min(0).default(500),
  STATION_DIRECTORY_MAX_STALE_MS: z.coerce.number().int().min(0).default(5_000),
  STATION_DIRECTORY_FULL_RELOAD_MS: z.coerce.number().int().min(1000).default(300_000),
  /** Load the directory when the api starts (else on the first station search: ~3 s at 100,000 stations). */
  STATION_DIRECTORY_PRELOAD: bool(true),
  /** Sessions (Lucia's guide): lifetime, and the remaining time under which a used session is extended again. */
  SESSION_TTL_DAYS: z.coerce.number().min(1).default(30),
  SESSION_RENEW_WITHIN_DAYS: z.coerce.number().min(0).default(15),
  ...providerEnv,
  /** Uploads (`POST /api/app/upload`): disk directory, largest file, accepted MIME types. */
  UPLOAD_DIR: z.string().min(1).default('.data/uploads'),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(5_242_880),
  UPLOAD_MIME_TYPES: z
    .string()
    .default('image/jpeg,image/png,image/webp,application/pdf')
    .transform((value) =>
      value
        .split(',')
        .map((type) => type.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** OAuth sign-in (Arctic). A provider is on when its settings are set; GOOGLE_OAUTH_BASE_URL points Google elsewhere (tests, a proxy). */
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_REDIRECT_URI: urlOf(['http:', 'https:']).optional(),
  GOOGLE_OAUTH_BASE_URL: urlOf(['http:', 'https:']).optional(),
  APPLE_CLIENT_ID: z.string().optional(),
  APPLE_TEAM_ID: z.string().optional(),
  APPLE_KEY_ID: z.string().optional(),
  /** The Sign in with Apple private key, PKCS#8 PEM (newlines may be written as `\n`). */
  APPLE_PRIVATE_KEY: z.string().optional(),
  APPLE_REDIRECT_URI: urlOf(['http:', 'https:']).optional(),
  /** Serves Apple's /auth/authorize and /auth/token elsewhere (tests, a proxy); default appleid.apple.com. */
  APPLE_OAUTH_BASE_URL: urlOf(['http:', 'https:']).optional(),
  /** Payment gateways. Sandbox: the local gateway's webhook HMAC key and how it misbehaves (delay, duplicates, order). */
  SANDBOX_WEBHOOK_SECRET: z.string().min(16).default(DEV_SANDBOX_WEBHOOK_SECRET),
  /**
   * The sandbox gateway (its checkout page approves any payment, unauthenticated):
   * on by default in development and tests, off in production unless set to true.
   */
  SANDBOX_GATEWAY_ENABLED: z.enum(['true', 'false', '1', '0']).optional(),
  /**
   * `/metrics` on the api port answers only `Authorization: Bearer <METRICS_TOKEN>`
   * when this is set (401 otherwise). Unset, it is public in development and tests
   * and not served in production (404).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SANDBOX_WEBHOOK_DELAY_MS: z.coerce.number().int().min(0).default(200),
  SANDBOX_WEBHOOK_DUPLICATES: z.coerce.number().int().min(0).max(20).default(0),
  SANDBOX_WEBHOOK_OUT_OF_ORDER: bool(false),
  /** Where clients reach this api (sandbox checkout URLs); default http://API_HOST:API_PORT. */
  PUBLIC_BASE_URL: urlOf(['http:', 'https:']).optional(),
  /** Stripe is on when both are set (secret key `sk_…`, webhook endpoint secret `whsec_…`). */
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  /** How long a rental start waits for station-core's dispense answer; above station-core's EJECT_TIMEOUT_MS. */
  RENTAL_DISPENSE_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  /**
   * The refund reconciliation job: how often it runs (0: never, in this process), and how long a
   * gateway refund must have been `approved` before it is asked about — longer than an approval's own
   * gateway call can take (Stripe's client: 10 s timeout, 2 retries).
   */
  REFUND_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  REFUND_RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(120_000),
  /** Live subscriptions (admin.live.*): events one client may have unread before it is cut off. */
  LIVE_CLIENT_BUFFER: z.coerce.number().int().min(1).default(1000),
  /** Recent events kept per api instance to resume a reconnecting client from its last event id. */
  LIVE_REPLAY_EVENTS: z.coerce.number().int().min(0).default(1000),
  /**
   * Live subscriptions: how long (ms) the hub gathers events before each stream gets them as one
   * message; the most an event waits in the hub. Shorter ticks: lower latency, more messages.
   */
  LIVE_TICK_MS: z.coerce.number().int().min(1).max(1000).default(100),
  /** GBFS feed (/gbfs/v3): `ttl` of station_status.json and of the slower files, in seconds. */
  GBFS_STATUS_TTL_S: z.coerce.number().int().min(0).default(10),
  GBFS_INFO_TTL_S: z.coerce.number().int().min(0).default(300),
  /** GBFS system_information.json: the system's id, name, contact and time zone (IANA). */
  GBFS_SYSTEM_ID: z.string().min(1).default('powerbank'),
  GBFS_SYSTEM_NAME: z.string().min(1).default('PowerBank'),
  GBFS_CONTACT_EMAIL: z.email().default('gbfs@powerbank.example'),
  GBFS_TIMEZONE: z.string().min(1).default('UTC'),
});
export type ApiEnv = z.infer<typeof apiEnv>;

export const bridgeEnv = commonEnv.extend({
  BRIDGE_METRICS_PORT: port(9101),
  /** Shared-subscription group: every bridge in a group gets a share of the station traffic. */
  BRIDGE_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('bridge'),
  MQTT_CLIENT_ID: z.string().optional(),
  /** MQTT connections in the shared group: each relays up to 256 messages at once (each PUBACKed after JetStream stored it). */
  BRIDGE_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
});
export type BridgeEnv = z.infer<typeof bridgeEnv>;

export const stationCoreEnv = commonEnv.extend({
  CORE_METRICS_PORT: port(9102),
  /** Seconds between station heartbeats, and how many may be missed before a station is offline. */
  HEARTBEAT_INTERVAL_S: z.coerce.number().int().min(1).default(30),
  HEARTBEAT_MISSED_LIMIT: z.coerce.number().int().min(1).default(3),
  EJECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** How often the rental timers run (due soon, overdue, lost, missed returns, stale starts). */
  RENTAL_JOBS_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /** Deliveries of one station event before it is dead-lettered (SystemLog, metric); retries back off 1 s doubling to 60 s. */
  CORE_EVENT_MAX_DELIVER: z.coerce.number().int().min(2).default(50),
  /** Benchmarks only: publish the ids of persisted events on `core.evt.processed` so latency can be measured. */
  CORE_TRACE_PROCESSED: bool(false),
  /**
   * This instance's name in the partition leases; keep it across restarts (a restarted instance
   * takes its own leases back at once). Unset: host name and process id.
   */
  CORE_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only')
    .optional(),
  /** A partition lease lapses this long after its owner's last renewal (renewed every third of it). */
  CORE_LEASE_TTL_MS: z.coerce.number().int().min(1000).default(3000),
  /** An event delivered but not acknowledged this long is delivered again (to the partition's owner then). */
  CORE_ACK_WAIT_MS: z.coerce.number().int().min(1000).default(30_000),
});
export type StationCoreEnv = z.infer<typeof stationCoreEnv>;

export const workerEnv = commonEnv.extend({
  ...providerEnv,
  WORKER_METRICS_PORT: port(9103),
  /** Notification sending: notices and deliveries per batch, pause when idle. */
  NOTIFY_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  NOTIFY_POLL_MS: z.coerce.number().int().min(10).default(200),
  /** Attempts per push/SMS delivery; the wait after the first failure, doubling up to the max. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(10).default(900_000),
  /**
   * How long a delivery handed to a provider stays claimed; past it the worker is taken as stopped
   * and the delivery is marked unknown, never resent. Default: 2 × PROVIDER_TIMEOUT_MS + 10 s.
   */
  NOTIFY_LEASE_MS: z.coerce.number().int().min(100).optional(),
  /** Notification senders in this process (each claims its own batches). */
  NOTIFY_SENDERS: z.coerce.number().int().min(1).max(32).default(2),
  /** Database connections pg-boss keeps for its job tables. */
  JOBS_POOL_MAX: z.coerce.number().int().min(2).default(4),
});
export type WorkerEnv = z.infer<typeof workerEnv>;

export const simulatorEnv = z.object({ ...mqttEnv, LOG_LEVEL: logLevel });

/** Provisioning broker accounts (stations, services): the broker's dynamic-security admin. */
export const brokerAdminEnv = z.object({
  ...mqttEnv,
  MQTT_ADMIN_USERNAME: z.string().min(1).default('admin'),
  MQTT_ADMIN_PASSWORD: z.string().min(1),
});
export type BrokerAdminEnv = z.infer<typeof brokerAdminEnv>;
export type SimulatorEnv = z.infer<typeof simulatorEnv>;

/** The api's settings, checked across each other; the sandbox's default follows NODE_ENV. */
export const apiEnv = apiFields
  .superRefine(refuseDevSecrets)
  .transform(({ SANDBOX_GATEWAY_ENABLED: sandbox, ...env }) => ({
    ...env,
    SANDBOX_GATEWAY_ENABLED:
      sandbox === undefined ? env.NODE_ENV !== 'production' : sandbox === 'true' || sandbox === '1',
  }));

/** In production the api does not start on a secret everyone can read in this repository. */
function refuseDevSecrets(env: z.output<typeof apiFields>, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return;
  const refuse = (name: string) =>
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: 'must be set in production (the default is public)',
    });
  if (env.APP_SECRET === DEV_APP_SECRET) refuse('APP_SECRET');
  if (env.SMS_PROVIDER === 'loadtest')
    ctx.addIssue({
      code: 'custom',
      path: ['SMS_PROVIDER'],
      message: 'loadtest hands OTP codes to any client: never in production',
    });
  const sandbox = env.SANDBOX_GATEWAY_ENABLED === 'true' || env.SANDBOX_GATEWAY_ENABLED === '1';
  if (sandbox && env.SANDBOX_WEBHOOK_SECRET === DEV_SANDBOX_WEBHOOK_SECRET) refuse('SANDBOX_WEBHOOK_SECRET');
}
