import { SmsFcmLog } from '@powerbank/db';
import { FakeTwilio, twilioError } from '@powerbank/notify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPhone, setAppConfig } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

describe('sign-in codes through Twilio (the notify package SMS port) against a fake Twilio', () => {
  const twilio = new FakeTwilio();
  let api: TestApi;
  const em = () => api.deps.orm.em.fork();

  beforeAll(async () => {
    await twilio.start();
    api = await createTestApi({
      env: {
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+15550007777',
        TWILIO_API_BASE_URL: twilio.url,
        PROVIDER_TIMEOUT_MS: '1000',
      },
    });
    await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
  });
  afterAll(async () => {
    await api.close();
    await twilio.close();
  });

  it('the code reaches Twilio; sms_fcm_log keeps it masked with Twilio’s message SID; the code verifies', async () => {
    const phone = aPhone();
    const sent = await api.rest('POST', '/api/auth/get-otp', { phone });
    expect(sent.status).toBe(200);
    const text = twilio.accepted.find((a) => a.message.to === phone)?.message.body ?? '';
    const code = /\b(\d{6})\b/.exec(text)?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const row = await em().findOneOrFail(SmsFcmLog, { recipient: phone });
    expect(row).toMatchObject({
      provider: 'twilio',
      status: 'sent',
      providerMessageId: expect.stringMatching(/^SM/),
    });
    expect(row.content).not.toContain(code);
    expect(row.content).toContain('******');
    expect((await api.rest('POST', '/api/auth/verify-otp', { phone, code })).status).toBe(200);
  });

  it('Twilio failing answers 503 with Retry-After (no challenge stored, nothing to verify); the failed attempt is recorded', async () => {
    const phone = aPhone();
    twilio.answer = (message) =>
      message.to === phone
        ? { status: 500, body: twilioError(20500, 'Internal Server Error', 500) }
        : 'accept';
    const sent = await api.rest('POST', '/api/auth/get-otp', { phone });
    expect(sent.status).toBe(503);
    expect(sent.body.error.code).toBe('SERVICE_UNAVAILABLE');
    // Overload and provider failures tell the app when to try again (never a bare 503).
    expect(Number(sent.headers.get('retry-after'))).toBeGreaterThan(0);
    const rows = await em().find(SmsFcmLog, { recipient: phone });
    expect(rows).toMatchObject([
      { provider: 'twilio', status: 'failed', error: expect.stringContaining('500') },
    ]);
    const challenges = await em()
      .getConnection()
      .execute('select 1 from otp_challenge where phone = ?', [phone]);
    expect(challenges).toEqual([]);
    twilio.answer = () => 'accept';
  });
});
