import { randomUUID } from 'node:crypto';
import {
  type App,
  type Credential,
  cert,
  deleteApp,
  initializeApp,
  type ServiceAccount,
} from 'firebase-admin/app';
import { getMessaging, type Messaging } from 'firebase-admin/messaging';
import { JWT } from 'google-auth-library';
import { ProviderError, type ProviderReceipt, type PushMessage, type PushPort } from './ports.ts';
import { RedirectingAgent } from './redirecting-agent.ts';

type ServiceAccountJson = ServiceAccount & {
  project_id?: string;
  client_email?: string;
  private_key?: string;
};

export interface FcmSettings {
  /** The Firebase service account (its JSON, parsed). */
  serviceAccount: ServiceAccountJson;
  /** Sends every request (FCM and the OAuth token) to this host instead: a test's fake server, a proxy. */
  baseUrl?: string;
}

/** FCM error codes worth another attempt later; the others are the message's fault. */
const RETRIABLE = new Set([
  'messaging/internal-error',
  'messaging/server-unavailable',
  'messaging/unknown-error',
  'messaging/quota-exceeded',
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'app/network-error',
  'app/network-timeout',
]);
/** The app was removed or the token rotated: the token is dropped. */
const UNREGISTERED = new Set(['messaging/registration-token-not-registered']);

/** Push through FCM's HTTP v1 API with the official firebase-admin SDK. */
export class FcmPush implements PushPort {
  readonly name = 'fcm';
  readonly #app: App;
  readonly #messaging: Messaging;

  constructor(settings: FcmSettings) {
    const agent = settings.baseUrl ? new RedirectingAgent(new URL(settings.baseUrl)) : undefined;
    // An app of its own (a unique name): several providers in one process never share settings.
    this.#app = initializeApp(
      {
        credential: agent
          ? redirectedCredential(settings.serviceAccount, agent)
          : cert(settings.serviceAccount),
        projectId: settings.serviceAccount.projectId ?? settings.serviceAccount.project_id,
        httpAgent: agent,
      },
      `powerbank-fcm-${randomUUID()}`,
    );
    this.#messaging = getMessaging(this.#app);
  }

  async send(message: PushMessage): Promise<ProviderReceipt> {
    try {
      const name = await this.#messaging.send({
        token: message.token,
        notification: { title: message.title, body: message.body },
        data: message.data,
        // A repeat of the same notice replaces the first on the device instead of showing twice.
        ...(message.data.noticeId
          ? {
              android: { collapseKey: message.data.noticeId },
              apns: { headers: { 'apns-collapse-id': message.data.noticeId.slice(0, 64) } },
            }
          : {}),
      });
      return { messageId: name };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const text = error instanceof Error ? error.message : String(error);
      throw new ProviderError(`fcm ${code}: ${text}`, RETRIABLE.has(code) || !code, UNREGISTERED.has(code));
    }
  }

  close(): Promise<void> {
    return deleteApp(this.#app);
  }
}

/**
 * The service account's OAuth token through `agent`. firebase-admin's `cert()` loses its http agent
 * for a service account given as an object (its Google auth client is made without client options),
 * so the token request would go to Google whatever the agent says; the same Google auth library's
 * JWT client, given the agent, does what `cert()` does.
 */
function redirectedCredential(account: ServiceAccountJson, agent: RedirectingAgent): Credential {
  const jwt = new JWT({
    email: account.clientEmail ?? account.client_email,
    key: account.privateKey ?? account.private_key,
    scopes: [
      'https://www.googleapis.com/auth/cloud-platform',
      'https://www.googleapis.com/auth/firebase.messaging',
    ],
    transporterOptions: { agent },
  });
  return {
    async getAccessToken() {
      const token = await jwt.authorize();
      return {
        access_token: token.access_token ?? '',
        expires_in: Math.max(0, Math.floor(((token.expiry_date ?? Date.now()) - Date.now()) / 1000)),
      };
    },
  };
}
