import { trpcServer } from '@hono/trpc-server';
import { type Context, Hono, type Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { OpenApiRouter } from 'trpc-to-openapi';
import packageJson from '../package.json' with { type: 'json' };
import type { AppDeps } from './deps.ts';
import type { AppEnv } from './hono-env.ts';
import { ANALYTICS_CSV_OPENAPI, mountAnalyticsCsv } from './modules/admin/analytics/index.ts';
import { mountLoadTestCodeRoute } from './modules/auth/loadtest-code.route.ts';
import { GBFS_PATH, mountGbfs } from './modules/gbfs/gbfs.route.ts';
import { GbfsFeed } from './modules/gbfs/gbfs-feed.ts';
import { LiveHub } from './modules/live/live-hub.ts';
import { mountLiveSse, type ProcedureErrorReport } from './modules/live/live-sse.route.ts';
import { mountAssetFiles } from './modules/market/asset-urls.ts';
import { mountPayments, PAYMENT_OPENAPI } from './modules/payment/payment.routes.ts';
import { followStationChanges } from './modules/stations/station-directory.follow.ts';
import { StationDirectorySource } from './modules/stations/station-directory.source.ts';
import {
  mountUploadRoute,
  TRPC_UPLOAD_PATH,
  UPLOAD_OPENAPI,
  UPLOAD_PATH,
  uploadBodyLimit,
  uploadsOf,
} from './modules/uploads/upload.route.ts';
import { requestFields } from './observability/logger.ts';
import { observeLiveSse, observeResponseCache } from './observability/metrics.ts';
import { mountMetrics } from './observability/metrics-route.ts';
import { echoRequestId, requestIdMiddleware } from './observability/request-id.ts';
import { requestObserver } from './observability/request-observer.ts';
import { mountConsole } from './platform/console-route.ts';
import { errorResponse } from './platform/error-response.ts';
import { mountOpenApi } from './platform/openapi.ts';
import { rateLimits } from './platform/rate-limit.ts';
import { DatabaseRateLimitStore, ProcessRateLimitStore } from './platform/rate-limit-store.ts';
import { sessionMiddleware } from './platform/session-middleware.ts';
import { StaticCache } from './platform/static-cache.ts';
import { publishStaticTableChanges } from './platform/static-table-changes.ts';
import { STATIC_TABLE_NAMES } from './platform/static-tables.ts';
import { restResponseCache } from './rest/response-cache.ts';
import { restHandler } from './rest/rest-adapter.ts';
import type { ContextSource } from './trpc/context.ts';
import { describeError, describeHttpStatus, logLevelOf, retryAfterHeader } from './trpc/error-body.ts';
import { requestContext } from './trpc/request-context.ts';
import { rootRouter } from './trpc/root-router.ts';

export interface AppOptions {
  /** The procedures to serve; platform tests pass a fixture router, everything else the root router. */
  router?: OpenApiRouter;
  /** The live hub to serve from; main.ts makes it, to end the live streams before the server closes. */
  live?: LiveHub;
}

/** Builds the whole HTTP app from its dependencies; tests call it without opening a port. */
export function createApp(deps: AppDeps, options: AppOptions = {}): Hono<AppEnv> {
  const router = options.router ?? rootRouter;
  const app = new Hono<AppEnv>();
  const staticCache = new StaticCache({
    nats: deps.nats,
    prefix: deps.env.NATS_PREFIX,
    ttlMs: deps.env.STATIC_CACHE_TTL_MS,
    maxResponseBytes: deps.env.STATIC_RESPONSE_CACHE_MAX_BYTES,
    logger: deps.logger,
  });
  observeResponseCache(deps.metrics, staticCache);
  publishStaticTableChanges({
    orm: deps.orm,
    nats: deps.nats,
    prefix: deps.env.NATS_PREFIX,
    tables: STATIC_TABLE_NAMES,
    logger: deps.logger,
  });
  const stations = new StationDirectorySource(
    deps.orm,
    {
      refreshMs: deps.env.STATION_DIRECTORY_REFRESH_MS,
      maxStaleMs: deps.env.STATION_DIRECTORY_MAX_STALE_MS,
      fullReloadMs: deps.env.STATION_DIRECTORY_FULL_RELOAD_MS,
    },
    deps.logger,
  );
  followStationChanges({ nats: deps.nats, prefix: deps.env.NATS_PREFIX, stations, logger: deps.logger });
  if (deps.env.STATION_DIRECTORY_PRELOAD) {
    stations.get().catch((err: unknown) => deps.logger.warn({ err }, 'station directory not preloaded'));
  }
  const uploads = uploadsOf(deps.env);
  const live = options.live ?? createLiveHub(deps);
  const gbfs = new GbfsFeed({
    directory: stations,
    hub: live,
    settings: deps.env,
    logger: deps.logger,
    baseUrl: `${deps.env.PUBLIC_BASE_URL ?? `http://${deps.env.API_HOST}:${deps.env.API_PORT}`}${GBFS_PATH}`,
  });
  const source: ContextSource = { deps, staticCache, stations, uploads, live };
  const observer = requestObserver(deps.logger, deps.metrics);
  const responses = restResponseCache(router, staticCache, observer);
  // Cached static answers leave before Hono routes the request: on a hit, each middleware step
  // would cost about as much as the answer itself.
  const route = app.fetch;
  app.fetch = (request, env, executionCtx) =>
    responses.answer(request, env) ?? route(request, env, executionCtx);

  // Names every request (a sane incoming X-Request-Id, else a new one); every response carries it.
  app.use('*', requestIdMiddleware());
  app.use('*', observer.middleware);

  // Anything thrown outside a procedure still leaves in the caller's error shape, never as Hono's text 500.
  app.onError((error, c) => {
    const body =
      error instanceof HTTPException ? describeHttpStatus(error.status, error.message) : describeError(error);
    const level = logLevelOf(body);
    if (level)
      (c.get('logger') ?? deps.logger)[level]({ err: error, ...requestFields(c.req.raw) }, 'request failed');
    return errorResponse(c, body);
  });
  app.use('*', echoRequestId());

  app.notFound((c) =>
    errorResponse(c, describeHttpStatus(404, `no route for ${c.req.method} ${c.req.path}`)),
  );

  mountMetrics(app, deps);
  // Before the rate limits: the console's files are the same for everyone.
  mountConsole(app);
  // Public and answered from memory: before the sessions and limits, which read the database.
  mountGbfs(app, gbfs);

  const limitBody = bodyLimit({
    maxSize: deps.env.API_BODY_LIMIT_BYTES,
    onError: (c) =>
      errorResponse(
        c,
        describeHttpStatus(413, `request body larger than ${deps.env.API_BODY_LIMIT_BYTES} bytes`),
      ),
  });
  // GET and HEAD carry no body: Hono's bodyLimit would still read `c.req.raw.body`, which makes
  // node-server build a full WHATWG Request for every read.
  const limitBodyOf = (c: Context<AppEnv>, next: Next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next);
  // Uploads have their own, larger limit on either transport (the REST route sets it itself).
  app.use('/api/*', (c, next) => (c.req.path === UPLOAD_PATH ? next() : limitBodyOf(c, next)));
  const limitUpload = uploadBodyLimit(uploads);
  app.use('/trpc/*', (c, next) =>
    c.req.path === TRPC_UPLOAD_PATH ? limitUpload(c, next) : limitBodyOf(c, next),
  );
  // Sessions before the limits, so signed-in users are counted as themselves, not as their IP.
  const session = sessionMiddleware(deps);
  app.use('/api/*', session);
  app.use('/trpc/*', session);
  const limits = rateLimits(deps.env, (limit) =>
    limit === 'read' ? new ProcessRateLimitStore() : new DatabaseRateLimitStore(deps.orm, `${limit}:`),
  );
  for (const limit of limits) app.use('*', limit);

  mountOpenApi(app, router, packageJson.version, {
    ...UPLOAD_OPENAPI,
    ...PAYMENT_OPENAPI,
    ...ANALYTICS_CSV_OPENAPI,
  });
  // Gateway webhooks (raw body) and the sandbox checkout, before the REST adapter's /api/* catch-all.
  mountPayments(app, deps);
  // Report downloads as text/csv, likewise before the catch-all (which answers JSON only).
  mountAnalyticsCsv(app, source);
  mountLoadTestCodeRoute(app, deps);

  const procedureFailed = ({ error, ctx, path, input, req }: ProcedureErrorReport) => {
    const level = logLevelOf(describeError(error));
    if (level) {
      (ctx?.logger ?? deps.logger)[level](
        { err: error.cause ?? error, path, input, ...requestFields(req) },
        'procedure failed',
      );
    }
  };
  // The live subscriptions, in tRPC's SSE format but one encoded frame per tick for every client.
  observeLiveSse(deps.metrics, mountLiveSse(app, { router, source, onError: procedureFailed }));

  // The tRPC adapter returns its own Response, without the X-Request-Id set above. Only here:
  // reading `c.res.headers` elsewhere would turn node-server's lightweight responses into full ones.
  app.use('/trpc/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('X-Request-Id')) {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('X-Request-Id', c.get('requestId'));
    }
  });
  app.use(
    '/trpc/*',
    trpcServer({
      endpoint: '/trpc',
      router,
      createContext: (_opts, c) => requestContext(source, c),
      // A refusal that says when to ask again (503 busy, 429) carries Retry-After here too.
      responseMeta: ({ errors }) => ({
        headers: Object.assign({}, ...errors.map((error) => retryAfterHeader(describeError(error)))),
      }),
      onError: procedureFailed,
    }),
  );

  mountUploadRoute(app, deps, uploads);
  mountAssetFiles(app, deps, uploads);
  app.all('/api/*', restHandler(source, router, responses));
  return app;
}

/** This instance's one subscription to core's and the rental runner's events (see LiveHub). */
export function createLiveHub(deps: AppDeps): LiveHub {
  return new LiveHub({
    nats: deps.nats,
    prefix: deps.env.NATS_PREFIX,
    logger: deps.logger,
    clientBuffer: deps.env.LIVE_CLIENT_BUFFER,
    replay: deps.env.LIVE_REPLAY_EVENTS,
    tickMs: deps.env.LIVE_TICK_MS,
  });
}
