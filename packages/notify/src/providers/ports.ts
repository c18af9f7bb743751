/** What a provider answered for one message it accepted. */
export interface ProviderReceipt {
  /** The provider's id of the message (Twilio's SID, FCM's message name). */
  messageId: string | null;
}

/**
 * A provider refused or could not be reached. `retriable`: a timeout, a 5xx or a 429 — worth
 * another attempt later; otherwise the message itself is wrong and is not sent again.
 * `unregistered`: a push token the provider no longer knows (the app was removed): it is dropped.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly unregistered = false,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface SmsMessage {
  to: string;
  text: string;
}

/** Where texts leave the system: Twilio in production, the local provider in development. */
export interface SmsPort {
  readonly name: string;
  send(message: SmsMessage): Promise<ProviderReceipt>;
}

export interface PushMessage {
  token: string;
  title: string;
  body: string;
  /** Carried to the app: the notice id and type, so the app can open it and drop a repeat. */
  data: Record<string, string>;
}

/** Where pushes leave the system: FCM in production, the local provider in development. */
export interface PushPort {
  readonly name: string;
  send(message: PushMessage): Promise<ProviderReceipt>;
}

/** Any error as a ProviderError: what is not one already (a network failure) is retriable. */
export function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError(error instanceof Error ? error.message : String(error), true);
}

/** The retriability of an HTTP status: a provider's 5xx and 429 pass, other 4xx are the message's fault. */
export const retriableStatus = (status: number | undefined) =>
  status === undefined || status === 429 || status === 408 || status >= 500;
