import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeProviderServer } from './fake-server.ts';

export interface FcmMessage {
  project: string;
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
}

/**
 * FCM's HTTP v1 API and Google's OAuth token endpoint, as firebase-admin calls them:
 * `POST /token` (a JWT-bearer grant) → an access token; `POST /v1/projects/{project}/messages:send`
 * with that token → `{ name }`, errors as Google's `{ error: { code, message, status, details } }`.
 */
export class FakeFcm extends FakeProviderServer<FcmMessage> {
  readonly project = 'powerbank-test';
  readonly accessToken = 'fake-fcm-access-token';
  tokensIssued = 0;
  /** A service account for this server (a fresh RSA key: the SDK signs its token request with it). */
  readonly serviceAccount = (() => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      type: 'service_account',
      project_id: 'powerbank-test',
      private_key_id: 'fake-key',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: 'push@powerbank-test.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: 'https://oauth2.googleapis.com/token',
    };
  })();

  protected route(request: IncomingMessage, body: string, response: ServerResponse): unknown {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.method === 'POST' && path.endsWith('/token')) {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ||
        !form.get('assertion')
      ) {
        return this.json(response, 400, { error: 'invalid_grant' });
      }
      this.tokensIssued += 1;
      return this.json(response, 200, {
        access_token: this.accessToken,
        expires_in: 3600,
        token_type: 'Bearer',
      });
    }
    const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
    if (request.method !== 'POST' || !match)
      return this.json(response, 404, fcmError(404, 'NOT_FOUND', 'no route'));
    if (request.headers.authorization !== `Bearer ${this.accessToken}`) {
      return this.json(
        response,
        401,
        fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      );
    }
    const parsed = JSON.parse(body) as { message?: Omit<FcmMessage, 'project'> };
    if (!parsed.message?.token)
      return this.json(response, 400, fcmError(400, 'INVALID_ARGUMENT', 'no token'));
    const message: FcmMessage = { project: match[1] ?? '', ...parsed.message };
    this.decide(message, message.token, response, (n) => ({
      status: 200,
      body: { name: `projects/${message.project}/messages/${n}` },
    }));
  }
}

export const fcmError = (code: number, status: string, message: string, fcmCode?: string) => ({
  error: {
    code,
    message,
    status,
    ...(fcmCode
      ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v2.FcmError', errorCode: fcmCode }] }
      : {}),
  },
});

/** FCM's answer for a token whose app was removed. */
export const UNREGISTERED_ANSWER = {
  status: 404,
  body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
};
