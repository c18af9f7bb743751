import type { Hono } from 'hono';
import type { AppDeps } from '../../deps.ts';
import type { AppEnv } from '../../hono-env.ts';
import { errorResponse } from '../../platform/error-response.ts';
import { describeHttpStatus } from '../../trpc/error-body.ts';
import { LoadTestSmsProvider, smsProviderOf } from './sms-provider.ts';

export const LOADTEST_CODE_PATH = '/api/loadtest/last-code';

/**
 * `GET /api/loadtest/last-code?phone=+1555010xxxx` → `{ success, data: { code } }`: how k6
 * reads the OTP a load-test user was texted. Mounted only with SMS_PROVIDER=loadtest (which the
 * config refuses in production); any phone outside the reserved range, or one never texted, is
 * a 404 like a route that does not exist, so the answer says nothing about real users.
 */
export function mountLoadTestCodeRoute(app: Hono<AppEnv>, deps: AppDeps): void {
  const sms = smsProviderOf(deps);
  if (!(sms instanceof LoadTestSmsProvider)) return;
  app.get(LOADTEST_CODE_PATH, (c) => {
    const code = sms.lastCodeFor(c.req.query('phone') ?? '');
    if (!code) return errorResponse(c, describeHttpStatus(404, 'no code for this phone'));
    return c.json({ success: true, data: { code } });
  });
}
