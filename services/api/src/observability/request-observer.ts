import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../hono-env.ts';
import { lazyChildLogger } from './logger.ts';
import { durationObserver, type Metrics } from './metrics.ts';

export interface FinishedRequest {
  method: string;
  /** The matched route's pattern: the metrics label. */
  route: string;
  path: string;
  status: number;
  /** `performance.now()` when the request began. */
  started: number;
  requestId: string;
  /** The request's own logger when it has one already. */
  logger?: Logger;
}

/**
 * Each request's duration histogram and (at info level) its log line. The
 * middleware wraps the Hono chain; `record` is the same bookkeeping for answers
 * given before Hono routes the request (the REST response cache).
 */
export function requestObserver(logger: Logger, metrics: Metrics) {
  const infoEnabled = logger.isLevelEnabled('info');
  const observeDuration = durationObserver(metrics);

  const record = (request: FinishedRequest): void => {
    const seconds = (performance.now() - request.started) / 1000;
    observeDuration(request.method, request.route, request.status, seconds);
    if (infoEnabled) {
      const { method, path, status } = request;
      (request.logger ?? logger.child({ reqId: request.requestId })).info(
        { method, path, status, ms: Math.round(seconds * 1000) },
        'request',
      );
    }
  };

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const requestId = c.get('requestId');
    const requestLogger = lazyChildLogger(logger, { reqId: requestId });
    c.set('logger', requestLogger);
    const started = performance.now();
    await next();
    const { method, routePath: route, path } = c.req;
    record({ method, route, path, status: c.res.status, started, requestId, logger: requestLogger });
  };

  return { middleware, record };
}

export type RequestObserver = ReturnType<typeof requestObserver>;
