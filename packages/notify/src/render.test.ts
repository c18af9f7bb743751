import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.ts';
import { outsideChannels } from './preferences.ts';
import { fillPlaceholders, localeChain, renderNotice, type TemplateText, templateKey } from './render.ts';

const book = (templates: TemplateText[]) =>
  new Map(templates.map((t) => [templateKey(t.code, t.channel, t.locale), t]));
const t = (channel: string, locale: string, body: string): TemplateText => ({
  code: 'e',
  channel,
  locale,
  title: `T ${locale}`,
  body,
});
const fallback = { title: 'own title', body: 'own body' };

describe('templates', () => {
  it('fills placeholders, or refuses when one has no value', () => {
    expect(fillPlaceholders('{{ amount }} to {{who}}', { amount: 5, who: 'you' })).toBe('5 to you');
    expect(fillPlaceholders('{{amount}}', {})).toBeNull();
    expect(fillPlaceholders('{{amount}}', { amount: { nested: 1 } })).toBeNull();
  });

  it('tries the locale, its language, then English', () => {
    expect(localeChain('pt-BR')).toEqual(['pt-BR', 'pt', 'en']);
    expect(localeChain(null)).toEqual(['en']);
    expect(localeChain('en')).toEqual(['en']);
  });

  it('the channel template in the nearest locale, else the in-app one, else the caller text', () => {
    const templates = book([t('push', 'pt', 'olá {{n}}'), t('in_app', 'en', 'hi {{n}}')]);
    const notice = (channel: string, locale: string, vars: Record<string, unknown> = { n: 1 }) =>
      renderNotice(templates, { code: 'e', channel, locale, vars }, fallback);
    expect(notice('push', 'pt-BR')).toEqual({ title: 'T pt', body: 'olá 1' });
    expect(notice('push', 'de')).toEqual({ title: 'T en', body: 'hi 1' });
    expect(notice('sms', 'pt')).toEqual({ title: 'T en', body: 'hi 1' });
    expect(notice('push', 'pt', {})).toEqual(fallback);
    expect(
      renderNotice(templates, { code: 'other', channel: 'push', locale: 'en', vars: {} }, fallback),
    ).toEqual(fallback);
  });
});

describe('channels by rule and preferences', () => {
  const rule = { channels: ['in_app', 'push', 'sms'], mandatory: false };
  it('no rule: in-app only; a rule: its push/SMS channels', () => {
    expect(outsideChannels('e', undefined, null)).toEqual([]);
    expect(outsideChannels('e', { channels: ['in_app', 'push'], mandatory: false }, null)).toEqual([
      { channel: 'push', send: true },
    ]);
  });
  it('a channel switched off or a muted code is skipped, unless the rule is mandatory', () => {
    expect(outsideChannels('e', rule, { sms: false })).toEqual([
      { channel: 'push', send: true },
      { channel: 'sms', send: false },
    ]);
    expect(outsideChannels('e', rule, { muted: ['e'] }).map((d) => d.send)).toEqual([false, false]);
    expect(
      outsideChannels('e', { ...rule, mandatory: true }, { push: false, muted: ['e'] }).map((d) => d.send),
    ).toEqual([true, true]);
  });
});

describe('retry backoff', () => {
  it('doubles from the base, capped, with jitter of at most 20 %', () => {
    const policy = { baseMs: 1000, maxMs: 5000 };
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 0.5))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(1, policy, () => 0)).toBe(800);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1200);
  });
});
