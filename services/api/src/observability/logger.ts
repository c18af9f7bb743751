import pino, { type DestinationStream, type Logger } from 'pino';

/** Request headers that are credentials or signatures. */
const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'stripe-signature', 'sandbox-signature'];
/** Input fields that are credentials, one-time codes or card data. */
const SECRET_FIELDS = [
  'token',
  'accessToken',
  'refreshToken',
  'verificationToken',
  'idToken',
  'password',
  'secret',
  'otp',
  'code',
  'card',
  'cardNumber',
  'card_number',
  'number',
  'cvc',
  'cvv',
];

/**
 * What pino replaces before a line is written: credentials in the request
 * headers and, in a procedure's input or a request body, tokens, OTP codes and
 * card data (at the top of the input and one level down). Failure lines carry
 * both (`requestFields`, the procedure's input); `code` is only redacted there,
 * since elsewhere it is an error code.
 */
export const LOG_REDACT_PATHS = [
  ...SECRET_HEADERS.map((name) => `req.headers["${name}"]`),
  ...['input', 'body'].flatMap((at) =>
    SECRET_FIELDS.flatMap((field) => [`${at}.${field}`, `${at}.*.${field}`]),
  ),
  ...SECRET_FIELDS.filter((field) => field !== 'code' && field !== 'number').map((field) => `*.${field}`),
];

export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** A failed request as its error line shows it (headers redacted by the logger). */
export function requestFields(request: Request): { req: Record<string, unknown> } {
  const { pathname } = new URL(request.url);
  return { req: { method: request.method, path: pathname, headers: Object.fromEntries(request.headers) } };
}

/**
 * `parent.child(bindings)`, made on first use: most requests log nothing (the
 * request line is info, often off), and a pino child costs an allocation and
 * the serialisation of its bindings.
 */
export function lazyChildLogger(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  return new Proxy(parent, {
    get(_target, prop) {
      child ??= parent.child(bindings);
      const value = Reflect.get(child, prop, child);
      return typeof value === 'function' ? value.bind(child) : value;
    },
  });
}
