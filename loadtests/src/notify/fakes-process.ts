/**
 * `bench:notify`'s provider side, a process of its own: the fake Twilio REST and FCM HTTP v1
 * (+ OAuth token) servers of `@powerbank/notify/testing`, answering the real SDKs' requests. It
 * tells the measurer what arrived (sequence number, receipt time) and nothing else.
 */
import { FakeFcm, FakeTwilio } from '@powerbank/notify/testing';
import { serveCalls } from './ipc.ts';
import { type Receipts, seqOf } from './mix.ts';

const twilio = await new FakeTwilio().start();
const fcm = await new FakeFcm().start();

/** The settings of the senders and loops that send here. */
export interface FakeProviders {
  twilio: { url: string; accountSid: string; authToken: string };
  fcm: { url: string; serviceAccount: FakeFcm['serviceAccount'] };
}

/** Receipts handed to the measurer already: the counts stay totals. */
const taken = { sms: 0, push: 0 };

serveCalls({
  providers: (): FakeProviders => ({
    twilio: { url: twilio.url, accountSid: twilio.accountSid, authToken: twilio.authToken },
    fcm: { url: fcm.url, serviceAccount: fcm.serviceAccount },
  }),
  /** Messages accepted so far, per provider. */
  counts: () => ({ sms: taken.sms + twilio.accepted.length, push: taken.push + fcm.accepted.length }),
  /** What arrived since the last take, and forgotten here. */
  take: (): { sms: Receipts; push: Receipts } => {
    const sms = twilio.accepted.splice(0).map((a): [number, number] => [seqOf(a.message.body), a.at]);
    const push = fcm.accepted
      .splice(0)
      .map((a): [number, number] => [seqOf(a.message.notification?.body), a.at]);
    taken.sms += sms.length;
    taken.push += push.length;
    return { sms, push };
  },
});
process.on('SIGTERM', async () => {
  await Promise.all([twilio.close(), fcm.close()]);
  process.exit(0);
});
