import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { callTRPCProcedure, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import {
  type AnyRouter,
  getErrorShape,
  getLastEventId,
  isObject,
  sseHeaders,
} from '@trpc/server/unstable-core-do-not-import';
import type { Hono } from 'hono';
import type { AppEnv } from '../../hono-env.ts';
import type { Context, ContextSource } from '../../trpc/context.ts';
import { requestContext } from '../../trpc/request-context.ts';
import type { LiveTopic } from './live-hub.ts';
import { LiveSseConnections } from './live-sse-connections.ts';
import { type FrameOutput, nodeOutput, webOutput } from './live-sse-output.ts';
import { LiveSubscription } from './live-subscription.ts';

/** What tRPC's adapter reports of a failed call (the app logs it the same way for both). */
export interface ProcedureErrorReport {
  error: TRPCError;
  ctx: Context | undefined;
  path: string | undefined;
  input: unknown;
  req: Request;
}

export interface LiveSseRouteOptions {
  router: AnyRouter;
  source: ContextSource;
  onError(report: ProcedureErrorReport): void;
}

/**
 * Serves the router's subscriptions (`admin.live.*`, as `httpSubscriptionLink` asks for them:
 * `GET /trpc/<path>?input=…`) in place of tRPC's adapter, speaking the same SSE wire format.
 * The procedure itself is called first, as tRPC would (`callTRPCProcedure` with the same
 * context, the input from `?input=` through the transformer and Last-Event-ID merged into it):
 * its roles and input schema decide, and a refusal goes out as tRPC's `serialized-error` event.
 * What it returns, a `LiveSubscription`, is then attached to the hub by `LiveSseConnections`,
 * which writes each tick's frame, encoded once, to every connection. Mounted after the session
 * middleware and the rate limits, before tRPC's adapter (which still answers everything else).
 */
export function mountLiveSse(app: Hono<AppEnv>, options: LiveSseRouteOptions): LiveSseConnections {
  const { router, source } = options;
  const config = router._def._config;
  const subscriptions = new Set(
    Object.entries(router._def.procedures as Record<string, { _def: { type: string } }>)
      .filter(([, procedure]) => procedure._def.type === 'subscription')
      .map(([path]) => path),
  );
  const connections = new LiveSseConnections({
    serialize: (value) => config.transformer.output.serialize(value),
    client: config.sse?.client ?? {},
    pingMs: config.sse?.ping?.enabled ? (config.sse.ping.intervalMs ?? 1000) : undefined,
    clientBuffer: source.deps.env.LIVE_CLIENT_BUFFER,
  });

  app.get('/trpc/:path', async (c, next) => {
    const path = c.req.param('path');
    if (!subscriptions.has(path)) return next();
    const req = c.req.raw;
    const url = new URL(req.url);
    const ctx = requestContext(source, c);
    let input: unknown;
    let subscription: LiveSubscription<LiveTopic> | undefined;
    let refusal: unknown;
    try {
      const result = await callTRPCProcedure({
        router,
        path,
        type: 'subscription',
        ctx,
        // Read by the procedure's input parser, after its role checks (as in tRPC's adapter).
        getRawInput: async () => {
          input = inputOf(url, req.headers, config.transformer.input.deserialize);
          return input;
        },
        signal: undefined,
        batchIndex: 0,
      });
      if (!(result instanceof LiveSubscription))
        throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `${path} is not a live stream` });
      subscription = result;
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error, ctx, path, input, req });
      refusal = getErrorShape({ config, error, type: 'subscription', path, input, ctx });
    }

    const start = (output: FrameOutput) =>
      subscription
        ? connections.serve(output, subscription, ctx.logger)
        : connections.refuse(output, refusal);
    const response = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (response) {
      // The server's own response: frames go straight to its socket, no web stream per client.
      // Its head carries what the middlewares before set (X-Request-Id, the rate limit's).
      response.writeHead(200, { ...Object.fromEntries(c.res.headers), ...sseHeaders });
      start(nodeOutput(response));
      // Tells node-server the answer is written. Set first, the prepared response dropped: Hono
      // would copy it into a response of node-server's own class, which node-server writes anew.
      c.res = undefined as unknown as Response;
      c.res = RESPONSE_ALREADY_SENT;
      return RESPONSE_ALREADY_SENT;
    }
    const { output, body } = webOutput();
    start(output);
    return new Response(body, { status: 200, headers: sseHeaders });
  });
  return connections;
}

/**
 * The procedure's raw input as tRPC's adapter reads it for a subscription: `?input=` (JSON, then
 * the transformer), with the EventSource's Last-Event-ID (header or query) as `lastEventId`.
 */
function inputOf(url: URL, headers: Headers, deserialize: (value: unknown) => unknown): unknown {
  const query = url.searchParams.get('input');
  let input: unknown;
  try {
    input = query ? deserialize(JSON.parse(query)) : undefined;
  } catch (cause) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: cause instanceof Error ? cause.message : 'Invalid input',
      cause,
    });
  }
  const lastEventId = getLastEventId({ headers, searchParams: url.searchParams });
  if (!lastEventId) return input;
  if (isObject(input)) return { ...input, lastEventId };
  return input ?? { lastEventId };
}
