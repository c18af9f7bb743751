import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { publicProcedure, router } from '../../trpc/trpc.ts';
import {
  AppUpdatesInput,
  AppUpdatesOutput,
  BannersOutput,
  ContactOutput,
  ContentPageInput,
  ContentPageOutput,
  type ContentPageSlug,
  CountriesOutput,
  FaqInput,
  FaqOutput,
  NoInput,
} from './content.schemas.ts';
import {
  getContentPage,
  listAppUpdates,
  listBanners,
  listContacts,
  listCountries,
  listFaq,
} from './content.service.ts';

/** How long a banners answer is served as it was built (see `banners`). */
export const BANNERS_MAX_AGE_MS = 1_000;

/** One procedure per page, so each keeps the documented path of its own. */
const contentPage = (slug: ContentPageSlug, summary: string) =>
  publicProcedure
    .meta({
      openapi: { method: 'GET', path: `/content/${slug}`, tags: ['content'], summary },
      responseCache: { tables: [STATIC_TABLES.contentPage] },
    })
    .input(ContentPageInput)
    .output(ContentPageOutput)
    .query(({ ctx, input }) => getContentPage(ctx.em, ctx.staticCache, slug, input));

/** App and content data from the static tables, all served from the static-table cache. */
export const contentRouter = router({
  banners: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/app/banners',
        tags: ['app'],
        summary: 'Banners showing now, in order',
      },
      // The start screen asks on every visit. A banner's window opens or closes on the clock, not
      // on a write: an answer is kept a second at most, so a window is followed to the second.
      responseCache: { tables: [STATIC_TABLES.banner], maxAgeMs: BANNERS_MAX_AGE_MS },
    })
    .input(NoInput)
    .output(BannersOutput)
    .query(({ ctx }) => listBanners(ctx.em, ctx.staticCache)),

  countries: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/app/countries', tags: ['app'], summary: 'Countries the app serves' },
      responseCache: { tables: [STATIC_TABLES.country] },
    })
    .input(NoInput)
    .output(CountriesOutput)
    .query(({ ctx }) => listCountries(ctx.em, ctx.staticCache)),

  termsOfService: contentPage('terms-of-service', 'Terms of service'),
  privacyPolicy: contentPage('privacy-policy', 'Privacy policy'),
  about: contentPage('about', 'About the service'),

  contact: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/content/contact', tags: ['content'], summary: 'Support contacts' },
      responseCache: { tables: [STATIC_TABLES.contactInfo] },
    })
    .input(NoInput)
    .output(ContactOutput)
    .query(({ ctx }) => listContacts(ctx.em, ctx.staticCache)),

  faq: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/content/faq',
        tags: ['content'],
        summary: 'FAQ grouped by category (optionally one category)',
      },
      responseCache: { tables: [STATIC_TABLES.faq] },
    })
    .input(FaqInput)
    .output(FaqOutput)
    .query(({ ctx, input }) => listFaq(ctx.em, ctx.staticCache, input)),

  appUpdates: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/content/app-updates',
        tags: ['content'],
        summary: "What's new, newest first",
      },
    })
    .input(AppUpdatesInput)
    .output(AppUpdatesOutput)
    .query(({ ctx, input }) => listAppUpdates(ctx.em, ctx.staticCache, input)),
});
