import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import type { ProviderReceipt, PushMessage, PushPort, SmsMessage, SmsPort } from './ports.ts';

/** Recipients whose messages a local provider keeps, and messages per recipient: bounded, oldest first out. */
const KEPT_RECIPIENTS = 1000;
const KEPT_PER_RECIPIENT = 5;

export interface LocalProviderOptions {
  /** Keep the last messages per recipient in memory (`sentTo`): tests read them there. Never in production. */
  keep: boolean;
  /** Log each full message: how a developer reads a sign-in code from the running stack. */
  logger: Pick<Logger, 'info'> | null;
}

/** Development and tests: nothing leaves the machine; what would have been sent is kept and logged. */
class LocalOutbox<M extends { text?: string; body?: string }> {
  readonly #sent = new Map<string, M[]>();

  constructor(
    private readonly options: LocalProviderOptions,
    private readonly what: string,
  ) {}

  accept(recipient: string, message: M): ProviderReceipt {
    if (this.options.keep) {
      const kept = this.#sent.get(recipient) ?? [];
      // Re-inserted, so the Map's order is least recently used first.
      this.#sent.delete(recipient);
      this.#sent.set(recipient, [...kept, message].slice(-KEPT_PER_RECIPIENT));
      if (this.#sent.size > KEPT_RECIPIENTS) {
        const oldest = this.#sent.keys().next().value;
        if (oldest !== undefined) this.#sent.delete(oldest);
      }
    }
    this.options.logger?.info(
      { to: recipient, ...(message as object) },
      `local ${this.what}, not sent (development)`,
    );
    return { messageId: `local-${uuidv7()}` };
  }

  sentTo(recipient: string): readonly M[] {
    return this.#sent.get(recipient) ?? [];
  }
}

export class LocalSms implements SmsPort {
  readonly name = 'local';
  readonly #outbox: LocalOutbox<SmsMessage>;

  constructor(options: LocalProviderOptions) {
    this.#outbox = new LocalOutbox(options, 'SMS');
  }

  async send(message: SmsMessage): Promise<ProviderReceipt> {
    return this.#outbox.accept(message.to, message);
  }

  /** The full texts last sent to `phone`, oldest first; empty when nothing is kept. */
  textsTo(phone: string): readonly string[] {
    return this.#outbox.sentTo(phone).map((m) => m.text);
  }
}

export class LocalPush implements PushPort {
  readonly name = 'local';
  readonly #outbox: LocalOutbox<PushMessage>;

  constructor(options: LocalProviderOptions) {
    this.#outbox = new LocalOutbox(options, 'push');
  }

  async send(message: PushMessage): Promise<ProviderReceipt> {
    return this.#outbox.accept(message.token, message);
  }

  pushesTo(token: string): readonly PushMessage[] {
    return this.#outbox.sentTo(token);
  }
}
