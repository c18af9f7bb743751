import { describe, expect, it } from 'vitest';
import { aPhone, useTestApi } from '../../testing/auth-helpers.ts';
import { LOADTEST_CODE_PATH } from './loadtest-code.route.ts';
import { smsProviderFor } from './sms-provider.ts';

const loadtest = useTestApi({ env: { SMS_PROVIDER: 'loadtest' } });
const local = useTestApi();

/** A reserved phone of this run (the range is +1555010xxxx), so parallel runs do not share one. */
const reservedPhone = () => `+1555010${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

describe('load-test SMS provider (SMS_PROVIDER=loadtest)', () => {
  it('hands the last code texted to a reserved phone, and that code signs in', async () => {
    const phone = reservedPhone();
    expect((await loadtest().rest('POST', '/api/auth/get-otp', { phone })).status).toBe(200);
    const res = await loadtest().rest('GET', `${LOADTEST_CODE_PATH}?phone=${encodeURIComponent(phone)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { code: expect.stringMatching(/^\d{6}$/) } });
    const verified = await loadtest().rest('POST', '/api/auth/verify-otp', {
      phone,
      code: res.body.data.code,
    });
    expect(verified.status).toBe(200);
  });

  it('answers 404 for any other phone, even one just texted a code, and for a reserved phone never texted', async () => {
    const phone = aPhone();
    expect((await loadtest().rest('POST', '/api/auth/get-otp', { phone })).status).toBe(200);
    for (const asked of [phone, '+15550110001', '+155501000001', reservedPhone(), '']) {
      const res = await loadtest().rest('GET', `${LOADTEST_CODE_PATH}?phone=${encodeURIComponent(asked)}`);
      expect(res.status, asked).toBe(404);
      expect(JSON.stringify(res.body)).not.toMatch(/\d{6}/);
    }
  });

  it('does not exist under the default provider', async () => {
    const phone = reservedPhone();
    expect((await local().rest('POST', '/api/auth/get-otp', { phone })).status).toBe(200);
    const res = await local().rest('GET', `${LOADTEST_CODE_PATH}?phone=${encodeURIComponent(phone)}`);
    expect(res.status).toBe(404);
  });

  it('is refused in production even if a configuration got past the config check', () => {
    expect(() =>
      smsProviderFor({ SMS_PROVIDER: 'loadtest', NODE_ENV: 'production' }, loadtest().deps.logger),
    ).toThrow(/refused in production/);
  });
});
