import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
import type { RuleChannels } from './preferences.ts';
import { type TemplateText, templateKey } from './render.ts';

/**
 * The notification templates and rules, read from the database and kept for `ttlMs`: both are small
 * admin-edited tables read on every batch, so a worker reads them once in a while, not per notice.
 */
export class NoticeBook {
  #loadedAt = 0;
  #templates = new Map<string, TemplateText>();
  #rules = new Map<string, RuleChannels>();

  constructor(private readonly ttlMs = 30_000) {}

  async refresh(em: EntityManager, now = Date.now()): Promise<this> {
    if (now - this.#loadedAt < this.ttlMs) return this;
    const templates = await sqlRows<TemplateText>(
      em,
      'select code, channel, locale, title, body from notification_template',
    );
    // An event with several active rules sends on the channels of the highest-priority one.
    const rules = await sqlRows<{ event_code: string; channels: string[]; mandatory: boolean }>(
      em,
      `select distinct on (event_code) event_code, channels, mandatory from notification_rule
       where is_active order by event_code, priority desc, id`,
    );
    this.#templates = new Map(templates.map((t) => [templateKey(t.code, t.channel, t.locale), t]));
    this.#rules = new Map(rules.map((r) => [r.event_code, { channels: r.channels, mandatory: r.mandatory }]));
    this.#loadedAt = now;
    return this;
  }

  get templates(): ReadonlyMap<string, TemplateText> {
    return this.#templates;
  }

  rule(code: string): RuleChannels | undefined {
    return this.#rules.get(code);
  }
}
