import type { EntityManager } from '@mikro-orm/postgresql';
import { SmsFcmLog } from '@powerbank/db';

export interface SmsMessage {
  to: string;
  text: string;
  templateCode: string;
  userId?: string | null;
}

/**
 * Where texts leave the system. Every implementation records what it sent in
 * `sms_fcm_log` through the caller's entity manager, so the row commits with the
 * OTP challenge it belongs to.
 */
export interface SmsProvider {
  readonly name: string;
  send(em: EntityManager, message: SmsMessage): Promise<void>;
}

/** Development and tests: nothing leaves the machine; the log row is the message (tests read codes there). */
export class LocalSmsProvider implements SmsProvider {
  readonly name = 'local';
  async send(em: EntityManager, message: SmsMessage): Promise<void> {
    em.create(SmsFcmLog, {
      channel: 'sms',
      user: message.userId ?? null,
      recipient: message.to,
      templateCode: message.templateCode,
      content: message.text,
      provider: this.name,
      status: 'sent',
      sentAt: new Date(),
    });
  }
}

export function smsProviderFor(name: 'local'): SmsProvider {
  switch (name) {
    case 'local':
      return new LocalSmsProvider();
  }
}
