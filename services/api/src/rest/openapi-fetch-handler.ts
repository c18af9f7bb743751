import { TRPCError } from '@trpc/server';
import { createOpenApiNodeHttpHandler, type OpenApiRouter } from 'trpc-to-openapi';

export interface OpenApiCall<TContext> {
  /** The incoming request (its body is read from here). */
  req: Request;
  /** Path and query relative to the REST prefix (`/app/version?x=1`): what procedures are matched against. */
  target: string;
  /** One request header, lower-case name. */
  header: (name: string) => string | undefined;
  createContext: () => TContext;
  onError: (error: TRPCError) => void;
}

/** What the procedure answered: the status and its JSON as text. */
export interface OpenApiAnswer {
  status: number;
  body: string;
}

/**
 * trpc-to-openapi's own fetch adapter builds a new handler for every request,
 * which outside production regenerates the whole OpenAPI document each time
 * (≈1 ms per request with two procedures, growing with every one added). This
 * builds the node-http handler once and feeds it each request the way that
 * adapter does (body parsed up front, a PARSE_ERROR raised only if the
 * procedure reads a body that is not JSON), without building a WHATWG Request,
 * Headers or Response per call: those cost more than a small procedure. The
 * handler is given a view of the incoming request with its path moved below the
 * REST prefix (it must stay `instanceof Request` for the library's checks).
 */
export function createCachedOpenApiFetchHandler<TContext>(router: OpenApiRouter) {
  const handler = createOpenApiNodeHttpHandler({
    router,
    createContext: ({ req }) => callOf<TContext>(req).createContext(),
    onError: ({ error, req }) => callOf<TContext>(req).onError(error),
  } as Parameters<typeof createOpenApiNodeHttpHandler>[0]);

  return async (call: OpenApiCall<TContext>): Promise<OpenApiAnswer> => {
    const req = new RequestView(call, await readBody(call));
    const res = new AnswerSink();
    await (handler as (req: unknown, res: unknown) => Promise<void>)(req, res);
    // The handler always ends the response before it resolves (success and error alike).
    if (!res.answer) throw new Error('the OpenAPI handler finished without an answer');
    return res.answer;
  };
}

/**
 * The response trpc-to-openapi writes to: it sets `statusCode`, one
 * Content-Type header (the envelope keeps it) and ends with the JSON text.
 * A class with plain fields, not an object literal with get/set closures: such a
 * literal gets a hidden class of its own per request, which V8 keeps in the old
 * generation, so every request's objects it reached were promoted.
 */
class AnswerSink {
  statusCode = 200;
  answer: OpenApiAnswer | undefined;

  setHeader(): void {}

  end(payload?: string): void {
    this.answer = { status: this.statusCode, body: payload ?? '' };
  }
}

type Body = { ok: true; data: unknown } | { ok: false; cause: unknown };

/**
 * What trpc-to-openapi is handed instead of the request: the parts it reads,
 * with the path moved below the REST prefix and the body already parsed. It must
 * pass `instanceof Request` (the library then reads headers with `get`, the body
 * as a property and the signal from the request). The call it belongs to travels
 * on it, for the handler's `createContext` and `onError`. Not a Proxy of the
 * request and not a WeakMap from request to call: either kept every request's
 * objects alive through V8's young-generation collections until a full one
 * (~7 KB promoted per request, ~20 ms scavenges under load).
 */
class RequestView<TContext> {
  readonly call: OpenApiCall<TContext>;
  readonly #body: Body;
  readonly headers: { get(name: string): string | null };
  /** Set by trpc-to-openapi: the parsed query string. */
  query?: Record<string, string[]>;

  constructor(call: OpenApiCall<TContext>, body: Body) {
    this.call = call;
    this.#body = body;
    this.headers = { get: (name) => call.header(name.toLowerCase()) ?? null };
  }

  get method(): string {
    return this.call.req.method;
  }

  get url(): string {
    return this.call.target;
  }

  get signal(): AbortSignal {
    return this.call.req.signal;
  }

  get body(): unknown {
    if (!this.#body.ok) {
      throw new TRPCError({
        code: 'PARSE_ERROR',
        message: 'request body is not valid JSON',
        cause: this.#body.cause,
      });
    }
    return this.#body.data;
  }
}
Object.setPrototypeOf(RequestView.prototype, Request.prototype);

function callOf<TContext>(req: object): OpenApiCall<TContext> {
  if (!(req instanceof RequestView)) throw new Error('request not started by the cached OpenAPI handler');
  return req.call as OpenApiCall<TContext>;
}

async function readBody(call: OpenApiCall<unknown>): Promise<Body> {
  const req = call.req;
  // Never read: GET input comes from the query, and the body limit is not applied to GETs (app.ts).
  if (req.method === 'GET' || req.method === 'HEAD') return { ok: true, data: undefined };
  const type = call.header('content-type') ?? '';
  try {
    if (type.includes('application/json')) {
      const text = await req.text();
      // An empty body is "no input" (e.g. a POST whose input is all optional), not malformed JSON.
      return { ok: true, data: text ? JSON.parse(text) : undefined };
    }
    if (type.includes('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(await req.text());
      const data: Record<string, string[]> = {};
      for (const key of params.keys()) data[key] = params.getAll(key);
      return { ok: true, data };
    }
    return { ok: true, data: req.body };
  } catch (cause) {
    return { ok: false, cause };
  }
}
