import {
  AppVersion,
  Banner,
  ContentPage,
  Country,
  Faq,
  GATEWAYS,
  PACKAGE_PAYMENT_MODELS,
  PaymentMethod,
  PLATFORMS,
  RentalPackage,
  StationAmenity,
  StationAmenityMapping,
} from '@powerbank/db';
import { z } from 'zod';
import { inputDate } from '../../platform/query-input.ts';
import { router } from '../../trpc/trpc.ts';
import { catalogueRouter } from './catalogue-resource.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
const money = () => z.number().int().min(0).max(100_000_000);
const currency = () =>
  z
    .string()
    .regex(/^[A-Z]{3}$/, 'a 3-letter ISO currency code')
    .optional();
const code = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -')
    .max(max);
const sortOrder = () => z.number().int().min(0).max(100_000).optional();
const isActive = () => z.boolean().optional();
const url = () => z.url().max(1024);
const at = () => inputDate().nullable().optional();
const listed = { isActive: true, sortOrder: 0 };

/** The static tables staff edit; docs/admin.md lists who may change each. */
export const adminCatalogueRouter = router({
  packages: catalogueRouter({
    path: 'packages',
    label: 'rental package',
    entity: RentalPackage,
    fields: {
      code: code(40),
      name: text(80),
      description: optionalText(255),
      paymentModel: z.enum(PACKAGE_PAYMENT_MODELS).optional(),
      durationMinutes: z.number().int().positive().max(525_600),
      price: money(),
      perMinuteRate: money(),
      depositAmount: money().optional(),
      currency: currency(),
      isActive: isActive(),
      sortOrder: sortOrder(),
    },
    defaults: { description: null, paymentModel: 'prepaid', depositAmount: 0, currency: 'USD', ...listed },
    orderBy: 'sortOrder',
    editors: ['operations', 'finance'],
  }),

  paymentMethods: catalogueRouter({
    path: 'payment-methods',
    label: 'payment method',
    entity: PaymentMethod,
    fields: {
      code: code(40),
      name: text(80),
      gateway: z.enum(GATEWAYS),
      isActive: isActive(),
      minAmount: z.number().int().positive().max(100_000_000).optional(),
      maxAmount: z.number().int().positive().max(100_000_000).optional(),
      currency: currency(),
      iconUrl: url().nullable().optional(),
      sortOrder: sortOrder(),
    },
    defaults: { minAmount: 100, maxAmount: 100_000, currency: 'USD', iconUrl: null, ...listed },
    orderBy: 'sortOrder',
    editors: ['finance'],
  }),

  contentPages: catalogueRouter({
    path: 'content-pages',
    label: 'content page',
    entity: ContentPage,
    fields: {
      slug: code(60),
      locale: text(8).optional(),
      title: text(160),
      body: z.string().min(1).max(200_000),
      version: text(20).optional(),
    },
    defaults: { locale: 'en', version: '1' },
    orderBy: 'slug',
    editors: ['operations', 'support'],
  }),

  faq: catalogueRouter({
    path: 'faq',
    label: 'FAQ entry',
    entity: Faq,
    fields: {
      category: text(60).optional(),
      question: text(255),
      answer: z.string().min(1).max(20_000),
      locale: text(8).optional(),
      sortOrder: sortOrder(),
      isActive: isActive(),
    },
    defaults: { category: 'general', locale: 'en', ...listed },
    orderBy: 'sortOrder',
    editors: ['operations', 'support'],
  }),

  banners: catalogueRouter({
    path: 'banners',
    label: 'banner',
    entity: Banner,
    fields: {
      title: text(120),
      subtitle: optionalText(255),
      imageUrl: url(),
      linkUrl: url().nullable().optional(),
      sortOrder: sortOrder(),
      isActive: isActive(),
      startsAt: at(),
      endsAt: at(),
    },
    defaults: { subtitle: null, linkUrl: null, startsAt: null, endsAt: null, ...listed },
    orderBy: 'sortOrder',
    editors: ['operations'],
  }),

  appVersions: catalogueRouter({
    path: 'app-versions',
    label: 'app version',
    entity: AppVersion,
    fields: {
      platform: z.enum(PLATFORMS),
      version: text(32),
      minSupportedVersion: text(32),
      forceUpdate: z.boolean().optional(),
      storeUrl: url().nullable().optional(),
      releaseNotes: z.string().max(20_000).nullable().optional(),
      releasedAt: inputDate().optional(),
    },
    defaults: { forceUpdate: false, storeUrl: null, releaseNotes: null },
    orderBy: 'platform',
    editors: ['operations'],
  }),

  countries: catalogueRouter({
    path: 'countries',
    label: 'country',
    entity: Country,
    fields: {
      code: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code'),
      name: text(80),
      dialCode: z.string().regex(/^\+\d{1,6}$/, 'a dial code such as +49'),
      currency: z.string().regex(/^[A-Z]{3}$/, 'a 3-letter ISO currency code'),
      flag: optionalText(16),
      isActive: isActive(),
      sortOrder: sortOrder(),
    },
    defaults: { flag: null, ...listed },
    orderBy: 'sortOrder',
    editors: ['operations'],
  }),

  amenities: catalogueRouter({
    path: 'amenities',
    label: 'station amenity',
    entity: StationAmenity,
    fields: { code: code(40), name: text(80), icon: optionalText(80) },
    defaults: { icon: null },
    orderBy: 'code',
    editors: ['operations'],
    // Stations list their amenities: deleting one named by a station would drop it from them unseen.
    inUse: async (tx, id) => (await tx.count(StationAmenityMapping, { amenity: id })) > 0,
  }),
});
