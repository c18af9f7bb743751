import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeProviderServer } from './fake-server.ts';

export interface TwilioMessage {
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
}

/**
 * Twilio's Messages resource as its REST API speaks it: `POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * HTTP Basic auth with the account SID and auth token, a form-encoded body, 201 with the message
 * (its `sid`), errors as `{ code, message, more_info, status }`.
 */
export class FakeTwilio extends FakeProviderServer<TwilioMessage> {
  constructor(
    readonly accountSid = 'AC00000000000000000000000000000000',
    readonly authToken = 'fake-twilio-auth-token',
  ) {
    super();
  }

  protected route(request: IncomingMessage, body: string, response: ServerResponse): unknown {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (request.method !== 'POST' || !match)
      return this.json(response, 404, twilioError(20404, 'not found', 404));
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected || match[1] !== this.accountSid) {
      return this.json(response, 401, twilioError(20003, 'Authenticate', 401));
    }
    const form = new URLSearchParams(body);
    const message: TwilioMessage = {
      accountSid: match[1],
      to: form.get('To') ?? '',
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body: form.get('Body') ?? '',
    };
    if (!message.to || !message.body || !(message.from || message.messagingServiceSid)) {
      return this.json(response, 400, twilioError(21604, "A 'To', 'Body' and 'From' are required", 400));
    }
    this.decide(message, message.to, response, (n) => ({
      status: 201,
      body: {
        sid: `SM${String(n).padStart(32, '0')}`,
        account_sid: this.accountSid,
        to: message.to,
        from: message.from,
        messaging_service_sid: message.messagingServiceSid,
        body: message.body,
        status: 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/SM${n}.json`,
      },
    }));
  }
}

export const twilioError = (code: number, message: string, status: number) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});
