import twilio from 'twilio';
import {
  ProviderError,
  type ProviderReceipt,
  retriableStatus,
  type SmsMessage,
  type SmsPort,
} from './ports.ts';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** A Twilio number (E.164) or a Messaging Service SID (`MG…`). */
  from: string;
  /** Twilio's REST API elsewhere (a test's fake server, a proxy); default Twilio's own hosts. */
  baseUrl?: string;
  timeoutMs: number;
}

/** Twilio's request client with every request sent to `base` instead (same paths, same wire format). */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(options: Parameters<twilio.RequestClient['request']>[0] & { data?: TData }) {
    const uri = new URL(options.uri);
    uri.protocol = this.base.protocol;
    uri.host = this.base.host;
    return super.request<TData>({ ...options, uri: uri.href });
  }
}

/** SMS through Twilio's official SDK (the Messages resource of its REST API). */
export class TwilioSms implements SmsPort {
  readonly name = 'twilio';
  readonly #client: twilio.Twilio;
  readonly #sender: { from: string } | { messagingServiceSid: string };

  constructor(settings: TwilioSettings) {
    this.#client = twilio(settings.accountSid, settings.authToken, {
      timeout: settings.timeoutMs,
      ...(settings.baseUrl
        ? { httpClient: new BaseUrlRequestClient(new URL(settings.baseUrl), settings.timeoutMs) }
        : {}),
    });
    this.#sender = settings.from.startsWith('MG')
      ? { messagingServiceSid: settings.from }
      : { from: settings.from };
  }

  async send(message: SmsMessage): Promise<ProviderReceipt> {
    try {
      const sent = await this.#client.messages.create({
        to: message.to,
        body: message.text,
        ...this.#sender,
      });
      return { messageId: sent.sid };
    } catch (error) {
      // RestException carries Twilio's HTTP status; a network failure or timeout has none.
      const status = (error as { status?: number }).status;
      const text = error instanceof Error ? error.message : String(error);
      throw new ProviderError(`twilio${status ? ` ${status}` : ''}: ${text}`, retriableStatus(status));
    }
  }
}
