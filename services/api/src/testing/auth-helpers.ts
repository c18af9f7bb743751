import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ADMIN_ROLES, AdminProfile, AppConfig, User } from '@powerbank/db';
import { afterAll, beforeAll } from 'vitest';
import { LocalSmsProvider, smsProviderOf } from '../modules/auth/sms-provider.ts';
import { createTestApi, type TestApi, type TestApiOptions } from './test-app.ts';

let phoneCounter = 0;
/** A fresh E.164 number per call, so tests never share a phone. */
export function aPhone(): string {
  phoneCounter += 1;
  return `+4915${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(5, '0')}`;
}

/**
 * The code of the last OTP texted to `phone`, from the texts the local SMS provider
 * keeps in memory (sms_fcm_log has it masked).
 */
export function lastOtpCode(api: TestApi, phone: string): string {
  const sms = smsProviderOf(api.deps);
  if (!(sms instanceof LocalSmsProvider)) throw new Error(`tests read codes from the local SMS provider`);
  const text = sms.textsTo(phone).at(-1);
  const code = text && /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code texted to ${phone} (last text: ${text})`);
  return code;
}

/** get-otp + verify-otp over REST → the phone-verification token. */
export async function verifyPhone(api: TestApi, phone: string): Promise<string> {
  const sent = await api.rest('POST', '/api/auth/get-otp', { phone });
  if (sent.status !== 200) throw new Error(`get-otp ${sent.status}: ${JSON.stringify(sent.body)}`);
  const verified = await api.rest('POST', '/api/auth/verify-otp', {
    phone,
    code: lastOtpCode(api, phone),
  });
  if (verified.status !== 200)
    throw new Error(`verify-otp ${verified.status}: ${JSON.stringify(verified.body)}`);
  return verified.body.data.verificationToken;
}

export type SignedUp = {
  phone: string;
  token: string;
  userId: string;
  referralCode: string;
};

/** A registered, signed-in user. */
export async function signUp(api: TestApi, extra: Record<string, unknown> = {}): Promise<SignedUp> {
  const phone = (extra.phone as string | undefined) ?? aPhone();
  const verificationToken = await verifyPhone(api, phone);
  const res = await api.rest('POST', '/api/auth/register', { phone, verificationToken, ...extra });
  if (res.status !== 200) throw new Error(`register ${res.status}: ${JSON.stringify(res.body)}`);
  return {
    phone,
    token: res.body.data.token,
    userId: res.body.data.user.id,
    referralCode: res.body.data.user.referralCode,
  };
}

/** A signed-in staff member with `role`. */
export async function signUpAdmin(api: TestApi, role: (typeof ADMIN_ROLES)[number]): Promise<SignedUp> {
  const user = await signUp(api);
  const em = api.deps.orm.em.fork();
  em.create(AdminProfile, { user: em.getReference(User, user.userId), role, displayName: `Test ${role}` });
  await em.flush();
  return user;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Sets AppConfig values (upsert), e.g. generous OTP send limits for a test file. */
export async function setAppConfig(api: TestApi, values: Record<string, unknown>): Promise<void> {
  const em = api.deps.orm.em.fork();
  for (const [key, value] of Object.entries(values)) {
    await em.upsert(AppConfig, { key, value }, { onConflictFields: ['key'] });
  }
}

/**
 * The test api of one test file, opened before its tests and closed after, with
 * OTP send limits its sign-ups never reach (in-process calls share one client
 * address). Returns a getter: the api exists only once `beforeAll` has run.
 */
export function useTestApi(options: TestApiOptions = {}): () => TestApi {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await createTestApi(options);
    await setAppConfig(api, { otp_sends_per_ip_hour: 10_000 });
  });
  afterAll(() => api?.close());
  return () => {
    if (!api) throw new Error('the test api is opened in beforeAll');
    return api;
  };
}

/** The smallest valid PNG (1×1), for upload tests. */
export const TINY_PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64',
  ),
);

/** `POST /api/app/upload` with one file; returns status and parsed body. */
export async function upload(
  api: TestApi,
  token: string | undefined,
  file: { bytes: Uint8Array; type: string; name?: string },
  purpose = 'kyc',
) {
  const form = new FormData();
  form.set('file', new File([file.bytes], file.name ?? 'doc', { type: file.type }));
  form.set('purpose', purpose);
  const response = await api.app.fetch(
    new Request('http://api.test/api/app/upload', {
      method: 'POST',
      body: form,
      headers: token ? bearer(token) : {},
    }),
  );
  return { status: response.status, body: (await response.json()) as any };
}

/** A fresh directory for one test file's uploads, outside the repository. */
export function testUploadDir(): string {
  return mkdtempSync(join(tmpdir(), 'powerbank-uploads-'));
}
