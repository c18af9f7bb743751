import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFcm, FakeTwilio, twilioError, UNREGISTERED_ANSWER } from '../testing/index.ts';
import { FcmPush } from './fcm-push.ts';
import type { ProviderError } from './ports.ts';
import { TwilioSms } from './twilio-sms.ts';

describe('Twilio SMS adapter (official SDK) against a fake Twilio REST API', () => {
  const fake = new FakeTwilio();
  let sms: TwilioSms;
  beforeAll(async () => {
    await fake.start();
    sms = new TwilioSms({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: '+15550009999',
      baseUrl: fake.url,
      timeoutMs: 500,
    });
  });
  afterAll(() => fake.close());

  it('sends a text and returns the message SID', async () => {
    const receipt = await sms.send({ to: '+15550001234', text: 'Your rental is overdue' });
    expect(receipt.messageId).toMatch(/^SM\d{32}$/);
    expect(fake.accepted.at(-1)?.message).toEqual({
      accountSid: fake.accountSid,
      to: '+15550001234',
      from: '+15550009999',
      messagingServiceSid: null,
      body: 'Your rental is overdue',
    });
  });

  it('a Messaging Service SID is sent as such', async () => {
    const viaService = new TwilioSms({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: 'MG11111111111111111111111111111111',
      baseUrl: fake.url,
      timeoutMs: 500,
    });
    await viaService.send({ to: '+15550001235', text: 'hi' });
    expect(fake.accepted.at(-1)?.message).toMatchObject({
      from: null,
      messagingServiceSid: 'MG11111111111111111111111111111111',
    });
  });

  it('5xx and timeouts are retriable, a 4xx refusal is not, bad credentials are not', async () => {
    fake.answer = (message) =>
      message.to === '+15550000500'
        ? { status: 503, body: twilioError(20500, 'Service unavailable', 503) }
        : message.to === '+15550000400'
          ? { status: 400, body: twilioError(21211, "The 'To' number is not a valid phone number", 400) }
          : message.to === '+15550000000'
            ? 'hang'
            : 'accept';
    const failure = (to: string, provider = sms) =>
      provider.send({ to, text: 'x' }).then(
        () => null,
        (error: ProviderError) => error,
      );
    expect(await failure('+15550000500')).toMatchObject({
      retriable: true,
      message: expect.stringContaining('503'),
    });
    expect(await failure('+15550000400')).toMatchObject({
      retriable: false,
      message: expect.stringContaining('not a valid'),
    });
    expect(await failure('+15550000000')).toMatchObject({ retriable: true });
    const wrongToken = new TwilioSms({
      accountSid: fake.accountSid,
      authToken: 'wrong',
      from: '+1555',
      baseUrl: fake.url,
      timeoutMs: 500,
    });
    expect(await failure('+15550001111', wrongToken)).toMatchObject({
      retriable: false,
      message: expect.stringContaining('401'),
    });
    fake.answer = () => 'accept';
  });
});

describe('FCM push adapter (firebase-admin) against a fake FCM HTTP v1 API and OAuth token endpoint', () => {
  const fake = new FakeFcm();
  let push: FcmPush;
  beforeAll(async () => {
    await fake.start();
    push = new FcmPush({ serviceAccount: fake.serviceAccount, baseUrl: fake.url });
  });
  afterAll(async () => {
    await push.close();
    await fake.close();
  });

  it('gets an OAuth token with the service account, then sends; the token is reused', async () => {
    const message = {
      token: 'device-1',
      title: 'Rental started',
      body: 'Enjoy',
      data: { noticeId: 'n-1', type: 'rental_started' },
    };
    const first = await push.send(message);
    const second = await push.send({ ...message, token: 'device-2' });
    expect(first.messageId).toBe('projects/powerbank-test/messages/1');
    expect(second.messageId).toBe('projects/powerbank-test/messages/2');
    expect(fake.tokensIssued).toBe(1);
    expect(fake.accepted[0]?.message).toMatchObject({
      project: 'powerbank-test',
      token: 'device-1',
      notification: { title: 'Rental started', body: 'Enjoy' },
      data: { noticeId: 'n-1', type: 'rental_started' },
    });
  });

  it('an unregistered token is reported as such; 500 is retriable; a bad argument is not', async () => {
    fake.answer = (message) =>
      message.token === 'gone'
        ? UNREGISTERED_ANSWER
        : message.token === 'flaky'
          ? { status: 500, body: { error: { code: 500, message: 'Internal error', status: 'INTERNAL' } } }
          : message.token === 'bad'
            ? {
                status: 400,
                body: { error: { code: 400, message: 'Invalid registration', status: 'INVALID_ARGUMENT' } },
              }
            : 'accept';
    const failure = (token: string) =>
      push.send({ token, title: 't', body: 'b', data: {} }).then(
        () => null,
        (error: ProviderError) => error,
      );
    expect(await failure('gone')).toMatchObject({ unregistered: true, retriable: false });
    expect(await failure('flaky')).toMatchObject({ unregistered: false, retriable: true });
    expect(await failure('bad')).toMatchObject({ unregistered: false, retriable: false });
    expect(await failure('fine')).toBeNull();
    fake.answer = () => 'accept';
  });
});
