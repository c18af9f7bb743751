import type { EntityManager } from '@mikro-orm/postgresql';
import { AppUpdate, Banner, ContactInfo, ContentPage, Country, Faq } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { StaticCache } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import type {
  AppUpdatesInput,
  AppUpdatesOutput,
  BannerItem,
  BannersOutput,
  ContactOutput,
  ContentPageInput,
  ContentPageOutput,
  ContentPageSlug,
  CountriesOutput,
  FaqInput,
  FaqOutput,
} from './content.schemas.ts';

/** Content is written in this locale first; other locales fall back to it. */
const DEFAULT_LOCALE = 'en';

/**
 * Active banners showing now, by sort order. The cache holds every active banner
 * with its dates and the date window is applied per request, so a banner starts
 * and stops on time without waiting for an invalidation or the TTL.
 */
export async function listBanners(
  em: EntityManager,
  cache: StaticCache,
  now = new Date(),
): Promise<BannersOutput> {
  const active = await cache.get(STATIC_TABLES.banner, 'active', () => loadActiveBanners(em));
  const time = now.getTime();
  return {
    banners: active.filter(
      (b) => (!b.startsAt || b.startsAt.getTime() <= time) && (!b.endsAt || b.endsAt.getTime() > time),
    ),
  };
}

async function loadActiveBanners(em: EntityManager): Promise<BannerItem[]> {
  const rows = await em.find(Banner, { isActive: true }, { orderBy: { sortOrder: 'asc', id: 'asc' } });
  return rows.map((b) => ({
    id: b.id,
    title: b.title,
    subtitle: b.subtitle ?? null,
    imageUrl: b.imageUrl,
    linkUrl: b.linkUrl ?? null,
    sortOrder: b.sortOrder,
    startsAt: b.startsAt ?? null,
    endsAt: b.endsAt ?? null,
  }));
}

export function listCountries(em: EntityManager, cache: StaticCache): Promise<CountriesOutput> {
  return cache.get(STATIC_TABLES.country, 'active', async () => {
    const rows = await em.find(Country, { isActive: true }, { orderBy: { sortOrder: 'asc', name: 'asc' } });
    return {
      countries: rows.map((c) => ({
        code: c.code,
        name: c.name,
        dialCode: c.dialCode,
        currency: c.currency,
        flag: c.flag ?? null,
      })),
    };
  });
}

/** A legal/about page in the asked locale, else in the default one; NOT_FOUND when neither exists. */
export async function getContentPage(
  em: EntityManager,
  cache: StaticCache,
  slug: ContentPageSlug,
  input: ContentPageInput,
): Promise<ContentPageOutput> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  // A missing page is cached too (as null), so repeated 404s do not reach the database.
  const page = await cache.get(STATIC_TABLES.contentPage, `${slug}:${locale}`, async () => {
    const rows = await em.find(ContentPage, { slug, locale: { $in: [locale, DEFAULT_LOCALE] } });
    const row = rows.find((r) => r.locale === locale) ?? rows[0];
    if (!row) return null;
    return {
      slug: row.slug,
      locale: row.locale,
      title: row.title,
      body: row.body,
      version: row.version,
      publishedAt: row.publishedAt,
      updatedAt: row.updatedAt,
    };
  });
  if (!page) throw new DomainError('NOT_FOUND', `no ${slug} page`);
  return page;
}

export function listContacts(em: EntityManager, cache: StaticCache): Promise<ContactOutput> {
  return cache.get(STATIC_TABLES.contactInfo, 'active', async () => {
    const rows = await em.find(ContactInfo, { isActive: true }, { orderBy: { sortOrder: 'asc', id: 'asc' } });
    return { contacts: rows.map((c) => ({ kind: c.kind, label: c.label, value: c.value })) };
  });
}

/**
 * Active questions grouped by category (categories in the order of their first
 * question), optionally one category; a locale without any questions falls back
 * to the default one.
 */
export async function listFaq(em: EntityManager, cache: StaticCache, input: FaqInput): Promise<FaqOutput> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  const all = await cache.get(STATIC_TABLES.faq, locale, async () => {
    const rows = await em.find(
      Faq,
      { isActive: true, locale: { $in: [locale, DEFAULT_LOCALE] } },
      { orderBy: { sortOrder: 'asc', id: 'asc' } },
    );
    const inLocale = rows.filter((r) => r.locale === locale);
    const chosen = inLocale.length ? inLocale : rows.filter((r) => r.locale === DEFAULT_LOCALE);
    const groups = new Map<string, FaqOutput['categories'][number]>();
    for (const row of chosen) {
      let group = groups.get(row.category);
      if (!group) {
        group = { category: row.category, items: [] };
        groups.set(row.category, group);
      }
      group.items.push({ id: row.id, question: row.question, answer: row.answer });
    }
    return { categories: [...groups.values()] };
  });
  if (!input.category) return all;
  return { categories: all.categories.filter((g) => g.category === input.category) };
}

/** "What's new", newest first; with a platform, its own entries plus those for every platform. */
export function listAppUpdates(
  em: EntityManager,
  cache: StaticCache,
  input: AppUpdatesInput,
): Promise<AppUpdatesOutput> {
  return cache.get(STATIC_TABLES.appUpdate, input.platform ?? 'all', async () => {
    const rows = await em.find(
      AppUpdate,
      input.platform ? { $or: [{ platform: input.platform }, { platform: null }] } : {},
      { orderBy: { releasedAt: 'desc', id: 'desc' } },
    );
    return {
      updates: rows.map((u) => ({
        version: u.version,
        platform: u.platform ?? null,
        title: u.title,
        notes: u.notes,
        isCritical: u.isCritical,
        releasedAt: u.releasedAt,
      })),
    };
  });
}
