import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { AppUpdate, Banner, ContactInfo, ContentPage, Country, Faq } from '../entities/index.ts';
import { seedMissing } from './support/seed-missing.ts';

const COUNTRIES = [
  { code: 'US', name: 'United States', dialCode: '+1', currency: 'USD', flag: '🇺🇸' },
  { code: 'GB', name: 'United Kingdom', dialCode: '+44', currency: 'GBP', flag: '🇬🇧' },
  { code: 'DE', name: 'Germany', dialCode: '+49', currency: 'EUR', flag: '🇩🇪' },
  { code: 'IN', name: 'India', dialCode: '+91', currency: 'INR', flag: '🇮🇳' },
  { code: 'NP', name: 'Nepal', dialCode: '+977', currency: 'NPR', flag: '🇳🇵' },
  { code: 'AE', name: 'United Arab Emirates', dialCode: '+971', currency: 'AED', flag: '🇦🇪' },
];

const PAGES = [
  {
    slug: 'terms-of-service',
    title: 'Terms of Service',
    body: 'By renting a power bank you agree to return it to any PowerBank station by the due time. Late returns are charged per minute after a short grace period, capped per day; a power bank not returned within 24 hours of its due time is charged at its price.',
  },
  {
    slug: 'privacy-policy',
    title: 'Privacy Policy',
    body: 'We keep your phone number, profile and rental history to run the service. Location is recorded only during a rental and only if you allow it. Deleting your account anonymises your personal data; payment records are kept as the law requires.',
  },
  {
    slug: 'about',
    title: 'About PowerBank',
    body: 'PowerBank runs self-service stations where you rent a charged power bank with your phone and return it at any station. The marketplace lets sellers rent out other equipment.',
  },
];

const FAQS = [
  {
    category: 'rentals',
    question: 'How do I rent a power bank?',
    answer:
      'Scan the QR code on a station, choose a package and pay with your wallet or points. The station ejects a charged power bank.',
  },
  {
    category: 'rentals',
    question: 'Can I return it to another station?',
    answer: 'Yes, any PowerBank station with a free slot accepts it.',
  },
  {
    category: 'rentals',
    question: 'What if I return it late?',
    answer:
      'After a 2-minute grace period, late minutes are charged at twice the package rate, capped at 100 per day.',
  },
  {
    category: 'payments',
    question: 'How do points work?',
    answer:
      '10 points are worth 1 unit of currency. You earn points for signing up, top-ups, returns on time and referrals.',
  },
  {
    category: 'payments',
    question: 'How do I get a refund?',
    answer: 'Request it from the transaction in the app; refunds go back the way the money came.',
  },
  {
    category: 'account',
    question: 'Why do I need to verify my phone?',
    answer: 'Your phone number is your login: we send a one-time code instead of using a password.',
  },
];

const BANNERS = [
  {
    title: 'Never run out of battery',
    subtitle: '50 stations across the city',
    imageUrl: 'https://cdn.example.com/banners/city-network.jpg',
    linkUrl: '/stations',
    sortOrder: 1,
  },
  {
    title: 'Invite a friend, earn 100 points',
    subtitle: 'When they finish their first rental',
    imageUrl: 'https://cdn.example.com/banners/referral.jpg',
    linkUrl: '/referral',
    sortOrder: 2,
  },
  {
    title: 'Top up and earn 10% in points',
    subtitle: null,
    imageUrl: 'https://cdn.example.com/banners/topup.jpg',
    linkUrl: '/wallet',
    sortOrder: 3,
  },
];

const CONTACTS = [
  { kind: 'email', label: 'Support', value: 'support@powerbank.example.com', sortOrder: 1 },
  { kind: 'phone', label: 'Hotline', value: '+1 415 555 0100', sortOrder: 2 },
  { kind: 'whatsapp', label: 'WhatsApp', value: '+1 415 555 0101', sortOrder: 3 },
  { kind: 'address', label: 'Office', value: '1 Market Street, San Francisco, CA 94105', sortOrder: 4 },
  { kind: 'hours', label: 'Support hours', value: 'Every day 08:00–22:00', sortOrder: 5 },
] as const;

const UPDATES = [
  {
    version: '2.4.0',
    platform: null,
    title: 'Hybrid payments',
    notes: 'Pay rentals with wallet and points together.',
    releasedAt: new Date('2026-11-01T00:00:00Z'),
  },
  {
    version: '2.3.0',
    platform: null,
    title: 'Faster station map',
    notes: 'Nearby stations load twice as fast.',
    releasedAt: new Date('2026-09-15T00:00:00Z'),
  },
  {
    version: '2.4.1',
    platform: 'android',
    title: 'Android fixes',
    notes: 'Fixes QR scanning on some devices.',
    isCritical: true,
    releasedAt: new Date('2026-11-10T00:00:00Z'),
  },
] as const;

/** Countries and the static content the app shows: pages, FAQ, banners, contacts, "what's new". */
export class ContentSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    await seedMissing(
      em,
      Country,
      COUNTRIES.map((c, i) => ({ key: c.code, data: { ...c, sortOrder: i } })),
      (c) => c.code,
    );
    await seedMissing(
      em,
      ContentPage,
      PAGES.map((page) => ({ key: `${page.slug}:en`, data: { ...page, locale: 'en' } })),
      (page) => `${page.slug}:${page.locale}`,
    );
    await seedMissing(
      em,
      Faq,
      FAQS.map((faq, i) => ({ key: faq.question, data: { ...faq, sortOrder: i } })),
      (faq) => faq.question,
    );
    await seedMissing(
      em,
      Banner,
      BANNERS.map((banner) => ({ key: banner.title, data: banner })),
      (banner) => banner.title,
    );
    await seedMissing(
      em,
      ContactInfo,
      CONTACTS.map((contact) => ({ key: `${contact.kind}:${contact.label}`, data: contact })),
      (contact) => `${contact.kind}:${contact.label}`,
    );
    await seedMissing(
      em,
      AppUpdate,
      UPDATES.map((update) => ({ key: `${update.version}:${update.platform}`, data: update })),
      (update) => `${update.version}:${update.platform}`,
    );
    await em.flush();
  }
}
