/** A template as the notification worker reads it (NotificationTemplate's columns). */
export interface TemplateText {
  code: string;
  channel: string;
  locale: string;
  title: string;
  body: string;
}

export interface RenderedText {
  title: string;
  body: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * `text` with each `{{name}}` replaced by `vars[name]`; null when a placeholder has no value, so
 * the caller falls back to its own wording rather than showing "{{amount}}" or a gap to a user.
 */
export function fillPlaceholders(text: string, vars: Readonly<Record<string, unknown>>): string | null {
  let missing = false;
  const filled = text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined || value === null || typeof value === 'object') {
      missing = true;
      return '';
    }
    return String(value);
  });
  return missing ? null : filled;
}

/** Locales to try for a user's `locale`, most specific first: `pt-BR` → pt-BR, pt, en. */
export function localeChain(locale: string | null | undefined, fallback = 'en'): string[] {
  const chain: string[] = [];
  const add = (l: string) => {
    if (l && !chain.includes(l)) chain.push(l);
  };
  if (locale) {
    add(locale);
    add(locale.split(/[-_]/)[0] ?? '');
  }
  add(fallback);
  return chain;
}

/**
 * The notice's text on one channel: the template of its code and channel in the user's locale (or
 * the nearest: language, then the default), else the in-app template's wording, filled from the
 * notice's variables; the caller's own title and body when no template fits or a variable is missing.
 */
export function renderNotice(
  templates: ReadonlyMap<string, TemplateText>,
  notice: { code: string; channel: string; locale: string | null; vars: Record<string, unknown> },
  fallback: RenderedText,
): RenderedText {
  for (const channel of [notice.channel, 'in_app']) {
    for (const locale of localeChain(notice.locale)) {
      const template = templates.get(templateKey(notice.code, channel, locale));
      if (!template) continue;
      const title = fillPlaceholders(template.title, notice.vars);
      const body = fillPlaceholders(template.body, notice.vars);
      return title !== null && body !== null ? { title, body } : fallback;
    }
  }
  return fallback;
}

export const templateKey = (code: string, channel: string, locale: string) => `${code}:${channel}:${locale}`;
