import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiEnv } from '@powerbank/config';
import { SmsFcmLog } from '@powerbank/db';
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
 * Where texts leave the system. Every implementation records what it sent in
 * `sms_fcm_log` through the caller's entity manager (`recordSms`: secrets
 * masked), so the row commits with the OTP challenge it belongs to.
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
export function recordSms(em: EntityManager, provider: string, message: SmsMessage): void {
  em.create(SmsFcmLog, {
    channel: 'sms',
    user: message.userId ?? null,
    recipient: message.to,
    templateCode: message.templateCode,
    content: redactedText(message),
    provider,
    status: 'sent',
    sentAt: new Date(),
  });
}

export interface LocalSmsOptions {
  /** Keep the last texts per phone in memory (`textsTo`): tests read OTP codes there. */
  keep: boolean;
  /** Log each full text at info: how a developer reads a code from the running api. */
  logger: Logger | null;
}

/** Phones whose texts the local provider keeps, and texts per phone: bounded, the oldest go first. */
const KEPT_PHONES = 1000;
const KEPT_PER_PHONE = 5;

/**
 * Development and tests: nothing leaves the machine. Like every provider it logs
 * the masked text in sms_fcm_log; outside production it also keeps the full
 * texts in memory (the hook tests read codes through) and, in development, logs
 * them — never in production, where a code must reach nobody but the phone.
 */
export class LocalSmsProvider implements SmsProvider {
  readonly name: string = 'local';
  readonly #sent = new Map<string, string[]>();

  constructor(private readonly options: LocalSmsOptions) {}

  async send(em: EntityManager, message: SmsMessage): Promise<void> {
    recordSms(em, this.name, message);
    if (this.options.keep) this.#keep(message);
    this.options.logger?.info({ to: message.to, text: message.text }, 'local SMS, not sent (development)');
  }

  /** The full texts last sent to `phone`, oldest first; empty when nothing is kept (production). */
  textsTo(phone: string): readonly string[] {
    return this.#sent.get(phone) ?? [];
  }

  #keep(message: SmsMessage): void {
    const texts = this.#sent.get(message.to) ?? [];
    // Re-inserted, so the Map's order is least recently texted first.
    this.#sent.delete(message.to);
    this.#sent.set(message.to, [...texts, message.text].slice(-KEPT_PER_PHONE));
    if (this.#sent.size > KEPT_PHONES) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
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
  override readonly name = 'loadtest';

  constructor() {
    super({ keep: true, logger: null });
  }

  /** The 6-digit code of the last text to `phone`, if it is a reserved phone that was texted one. */
  lastCodeFor(phone: string): string | undefined {
    if (!LOADTEST_PHONES.test(phone)) return undefined;
    const text = this.textsTo(phone).at(-1);
    return (text && /\b(\d{6})\b/.exec(text)?.[1]) || undefined;
  }
}

export function smsProviderFor(env: Pick<ApiEnv, 'SMS_PROVIDER' | 'NODE_ENV'>, logger: Logger): SmsProvider {
  switch (env.SMS_PROVIDER) {
    case 'local':
      return new LocalSmsProvider({
        keep: env.NODE_ENV !== 'production',
        logger: env.NODE_ENV === 'development' ? logger : null,
      });
    case 'loadtest':
      // The config refuses it in production; checked again here, where codes would leak.
      if (env.NODE_ENV === 'production') throw new Error('SMS_PROVIDER=loadtest is refused in production');
      return new LoadTestSmsProvider();
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
