import { PLATFORMS } from '@powerbank/db';
import { z } from 'zod';

const Locale = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language code like en or pt-BR')
  .optional();

export const NoInput = z.object({}).strict();

export const BannerItem = z.object({
  id: z.number().int(),
  title: z.string(),
  subtitle: z.string().nullable(),
  imageUrl: z.string(),
  linkUrl: z.string().nullable(),
  sortOrder: z.number().int(),
  startsAt: z.date().nullable(),
  endsAt: z.date().nullable(),
});
export type BannerItem = z.infer<typeof BannerItem>;
export const BannersOutput = z.object({ banners: z.array(BannerItem) });
export type BannersOutput = z.infer<typeof BannersOutput>;

export const CountryItem = z.object({
  code: z.string(),
  name: z.string(),
  dialCode: z.string(),
  currency: z.string(),
  flag: z.string().nullable(),
});
export const CountriesOutput = z.object({ countries: z.array(CountryItem) });
export type CountriesOutput = z.infer<typeof CountriesOutput>;

export const CONTENT_PAGE_SLUGS = ['terms-of-service', 'privacy-policy', 'about'] as const;
export type ContentPageSlug = (typeof CONTENT_PAGE_SLUGS)[number];

export const ContentPageInput = z.object({ locale: Locale }).strict();
export type ContentPageInput = z.infer<typeof ContentPageInput>;
export const ContentPageOutput = z.object({
  slug: z.string(),
  locale: z.string(),
  title: z.string(),
  body: z.string(),
  version: z.string(),
  publishedAt: z.date(),
  updatedAt: z.date(),
});
export type ContentPageOutput = z.infer<typeof ContentPageOutput>;

export const ContactOutput = z.object({
  contacts: z.array(
    z.object({
      kind: z.enum(['email', 'phone', 'whatsapp', 'address', 'website', 'hours']),
      label: z.string(),
      value: z.string(),
    }),
  ),
});
export type ContactOutput = z.infer<typeof ContactOutput>;

export const FaqInput = z
  .object({
    category: z
      .string()
      .regex(/^[a-z0-9_-]{1,60}$/, 'a category code like rentals')
      .optional(),
    locale: Locale,
  })
  .strict();
export type FaqInput = z.infer<typeof FaqInput>;
export const FaqOutput = z.object({
  categories: z.array(
    z.object({
      category: z.string(),
      items: z.array(z.object({ id: z.number().int(), question: z.string(), answer: z.string() })),
    }),
  ),
});
export type FaqOutput = z.infer<typeof FaqOutput>;

export const AppUpdatesInput = z.object({ platform: z.enum(PLATFORMS).optional() }).strict();
export type AppUpdatesInput = z.infer<typeof AppUpdatesInput>;
export const AppUpdatesOutput = z.object({
  updates: z.array(
    z.object({
      version: z.string(),
      /** Null: applies to every platform. */
      platform: z.enum(PLATFORMS).nullable(),
      title: z.string(),
      notes: z.string(),
      isCritical: z.boolean(),
      releasedAt: z.date(),
    }),
  ),
});
export type AppUpdatesOutput = z.infer<typeof AppUpdatesOutput>;
