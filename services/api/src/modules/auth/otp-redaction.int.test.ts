import { Writable } from 'node:stream';
import { SmsFcmLog } from '@powerbank/db';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { aPhone, lastOtpCode, useTestApi } from '../../testing/auth-helpers.ts';
import { LocalSmsProvider, smsProviderFor } from './sms-provider.ts';

const api = useTestApi();

const em = () => api().deps.orm.em.fork();

/** Every text a row of sms_fcm_log holds besides its recipient's number and its ids. */
async function storedTexts(): Promise<string[]> {
  const rows = await em().find(SmsFcmLog, {});
  return rows.flatMap((row) => [row.content, row.templateCode, row.providerMessageId, row.error]).map(String);
}

describe('OTP codes are never stored in clear', () => {
  it('after an OTP request no row of sms_fcm_log contains the code: the text is stored with it masked', async () => {
    const phone = aPhone();
    expect((await api().rest('POST', '/api/auth/get-otp', { phone })).status).toBe(200);
    const code = lastOtpCode(api(), phone);
    const texts = await storedTexts();
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).not.toContain(code);
    const row = await em().findOneOrFail(SmsFcmLog, { recipient: phone });
    expect(row.content).toMatch(/^Your PowerBank code is \*{6}\. It expires in \d+ minutes\.$/);
    // The code the provider handed over is the one that verifies.
    expect((await api().rest('POST', '/api/auth/verify-otp', { phone, code })).status).toBe(200);
  });

  /** The local provider as the api makes it under `NODE_ENV`, logging into `lines`; sends one code to a new phone. */
  async function sendUnder(nodeEnv: 'development' | 'production', lines: { msg: string; text?: string }[]) {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const sms = smsProviderFor({ SMS_PROVIDER: 'local', NODE_ENV: nodeEnv }, pino({ level: 'info' }, sink));
    if (!(sms instanceof LocalSmsProvider)) throw new Error('expected the local provider');
    const phone = aPhone();
    const e = em();
    await sms.send(e, { to: phone, templateCode: 'otp', text: 'Your code is 424242.', secrets: ['424242'] });
    await e.flush();
    const row = await em().findOneOrFail(SmsFcmLog, { recipient: phone });
    return { sms, phone, stored: row.content };
  }

  it('development: the full text is kept for tests and logged for the developer; the row is masked', async () => {
    const lines: { msg: string; text?: string }[] = [];
    const { sms, phone, stored } = await sendUnder('development', lines);
    expect(stored).toBe('Your code is ******.');
    expect(sms.textsTo(phone)).toEqual(['Your code is 424242.']);
    expect(lines.map((line) => line.text)).toEqual(['Your code is 424242.']);
  });

  it('production: the code is neither kept in memory nor logged; the row is masked', async () => {
    const lines: { msg: string; text?: string }[] = [];
    const { sms, phone, stored } = await sendUnder('production', lines);
    expect(stored).toBe('Your code is ******.');
    expect(sms.textsTo(phone)).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('424242');
  });
});
