import type { EntityManager } from '@mikro-orm/postgresql';
import { SmsFcmLog } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import {
  asProviderError,
  type LocalProviderOptions,
  LocalSms,
  localProviderOptions,
  type SmsPort,
  type SmsSettings,
  smsPortFor,
} from '@powerbank/notify';
import type { Logger } from 'pino';
import type { AppDeps } from '../../deps.ts';

export interface SmsMessage {
  to: string;
  text: string;
  templateCode: string;
  userId?: string | null;
  /**
   * Parts of `text` that must never be stored (an OTP code): only the recipient's
   * phone ever sees them; the log row has each masked.
   */
  secrets?: readonly string[];
}

/**
 * How the api texts (sign-in codes): through the one SMS port the worker's notices use too
 * (`@powerbank/notify`). Every send is recorded in `sms_fcm_log` through the caller's entity
 * manager (`recordSms`: secrets masked), so the row commits with the OTP challenge it belongs to.
 */
export interface SmsProvider {
  readonly name: string;
  send(em: EntityManager, message: SmsMessage): Promise<void>;
}

/** The text as it may be stored or shown to staff: every secret replaced by as many `*`. */
export function redactedText(message: SmsMessage): string {
  let text = message.text;
  for (const secret of message.secrets ?? []) {
    if (secret) text = text.replaceAll(secret, '*'.repeat(secret.length));
  }
  return text;
}

/** The `sms_fcm_log` row of a text a provider handed over, written on the caller's flush. */
export function recordSms(
  em: EntityManager,
  provider: string,
  message: SmsMessage,
  outcome: { messageId?: string | null; error?: string } = {},
): void {
  em.create(SmsFcmLog, {
    channel: 'sms',
    user: message.userId ?? null,
    recipient: message.to,
    templateCode: message.templateCode,
    content: redactedText(message),
    provider,
    providerMessageId: outcome.messageId?.slice(0, 128) ?? null,
    status: outcome.error === undefined ? 'sent' : 'failed',
    error: outcome.error?.slice(0, 512) ?? null,
    sentAt: outcome.error === undefined ? new Date() : null,
  });
}

/**
 * A text through the configured SMS port (Twilio, or the local provider), recorded in sms_fcm_log
 * with the provider's message id on the caller's flush. A provider that fails is recorded at once
 * (in a transaction of its own: the caller's is rolled back) and answered 503: try again later.
 */
export class PortSmsProvider implements SmsProvider {
  constructor(readonly port: SmsPort) {}

  get name(): string {
    return this.port.name;
  }

  async send(em: EntityManager, message: SmsMessage): Promise<void> {
    try {
      const receipt = await this.port.send({ to: message.to, text: message.text });
      recordSms(em, this.name, message, { messageId: receipt.messageId });
    } catch (error) {
      const failure = asProviderError(error);
      const log = em.fork();
      recordSms(log, this.name, message, { error: failure.message });
      await log.flush();
      throw new DomainError('SERVICE_UNAVAILABLE', 'the text could not be sent; try again shortly');
    }
  }
}

/**
 * Development and tests: nothing leaves the machine (the notify package's LocalSms). Outside
 * production it keeps the full texts in memory (the hook tests read codes through) and, in
 * development, logs them — never in production, where a code must reach nobody but the phone.
 */
export class LocalSmsProvider extends PortSmsProvider {
  readonly #local: LocalSms;

  constructor(options: LocalProviderOptions) {
    const local = new LocalSms(options);
    super(local);
    this.#local = local;
  }

  /** The full texts last sent to `phone`, oldest first; empty when nothing is kept (production). */
  textsTo(phone: string): readonly string[] {
    return this.#local.textsTo(phone);
  }
}

/**
 * The phones load tests sign in with: +1 555 010 0000 – +1 555 010 9999, inside the
 * North American 555-01xx block reserved for fiction, so no real phone is ever one.
 */
export const LOADTEST_PHONES = /^\+1555010\d{4}$/;

/**
 * A test deployment under load (`SMS_PROVIDER=loadtest`, refused in production by the
 * config): the local provider, plus the last code texted to a reserved phone
 * (LOADTEST_PHONES) for `GET /api/loadtest/last-code` — and nothing about any other phone.
 */
export class LoadTestSmsProvider extends LocalSmsProvider {
  constructor() {
    super({ keep: true, logger: null });
  }

  override get name(): string {
    return 'loadtest';
  }

  /** The 6-digit code of the last text to `phone`, if it is a reserved phone that was texted one. */
  lastCodeFor(phone: string): string | undefined {
    if (!LOADTEST_PHONES.test(phone)) return undefined;
    const text = this.textsTo(phone).at(-1);
    return (text && /\b(\d{6})\b/.exec(text)?.[1]) || undefined;
  }
}

export function smsProviderFor(env: SmsSettings, logger: Logger): SmsProvider {
  switch (env.SMS_PROVIDER) {
    case 'local':
      return new LocalSmsProvider(localProviderOptions(env, logger));
    case 'loadtest':
      // The config refuses it in production; checked again here, where codes would leak.
      if (env.NODE_ENV === 'production') throw new Error('SMS_PROVIDER=loadtest is refused in production');
      return new LoadTestSmsProvider();
    default:
      return new PortSmsProvider(smsPortFor(env, logger));
  }
}

const providers = new WeakMap<AppDeps, SmsProvider>();

/** The app's one SMS provider (made on first use), so what it keeps is there for the next request — and tests. */
export function smsProviderOf(deps: AppDeps): SmsProvider {
  let provider = providers.get(deps);
  if (!provider) {
    provider = smsProviderFor(deps.env, deps.logger);
    providers.set(deps, provider);
  }
  return provider;
}
