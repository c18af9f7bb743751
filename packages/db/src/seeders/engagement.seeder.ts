import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import type { NOTIFICATION_CHANNELS } from '../entities/enums.ts';
import { Achievement, Coupon, NotificationRule, NotificationTemplate } from '../entities/index.ts';
import { mustGet, seedMissing } from './support/seed-missing.ts';

type Channel = (typeof NOTIFICATION_CHANNELS)[number];

const ACHIEVEMENTS = [
  {
    code: 'first_rental',
    name: 'First charge',
    description: 'Complete your first rental.',
    metric: 'rentals',
    threshold: 1,
    rewardPoints: 50,
  },
  {
    code: 'ten_rentals',
    name: 'Regular',
    description: 'Complete 10 rentals.',
    metric: 'rentals',
    threshold: 10,
    rewardPoints: 200,
  },
  {
    code: 'five_timely_returns',
    name: 'Right on time',
    description: 'Return 5 power banks by their due time.',
    metric: 'timely_returns',
    threshold: 5,
    rewardPoints: 100,
  },
  {
    code: 'three_referrals',
    name: 'Connector',
    description: 'Invite 3 friends who complete a rental.',
    metric: 'referrals',
    threshold: 3,
    rewardPoints: 300,
  },
];

interface EventNotification {
  event: string;
  title: string;
  body: string;
  /** Where the rule sends it; in-app always gets a template. */
  channels: readonly Channel[];
  /** Relative to the event: negative fires before it (due soon). */
  offsetMinutes?: number;
  priority?: number;
  /** Sent on its channels whatever the user's notification preferences say. */
  mandatory?: boolean;
}

/** One template per (event, channel) and one rule per event; critical alerts also go by push or SMS. */
const EVENT_NOTIFICATIONS: readonly EventNotification[] = [
  {
    event: 'rental_started',
    title: 'Rental started',
    body: 'Power bank {{powerBankSerial}} is yours until {{dueAt}}.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'rental_due_soon',
    title: 'Return soon',
    body: 'Your rental is due at {{dueAt}}. Return it to any station to avoid late fees.',
    channels: ['in_app', 'push'],
    offsetMinutes: -15,
    priority: 1,
  },
  {
    event: 'rental_overdue',
    title: 'Rental overdue',
    body: 'Your rental was due at {{dueAt}}; late fees now apply.',
    channels: ['in_app', 'push', 'sms'],
    priority: 2,
    mandatory: true,
  },
  {
    event: 'rental_failed',
    title: 'Rental could not start',
    body: 'The station could not release a power bank. Your payment was returned.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'rental_lost',
    title: 'Power bank counted as bought',
    body: 'Your rental passed its maximum and was closed.',
    channels: ['in_app', 'push', 'sms'],
    priority: 2,
    mandatory: true,
  },
  {
    event: 'rental_due_settle',
    title: 'Payment due',
    body: 'Your balance did not cover your rental. Pay the due to rent again.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'rental_returned',
    title: 'Thanks for returning',
    body: 'Returned at {{stationName}}. You earned {{points}} points.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'rental_charged',
    title: 'Rental charged',
    body: '{{amount}} was charged for your rental.',
    channels: ['in_app'],
  },
  {
    event: 'topup_succeeded',
    title: 'Wallet topped up',
    body: '{{amount}} was added to your wallet, plus {{points}} points.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'refund_processed',
    title: 'Refund processed',
    body: '{{amount}} was refunded to your {{destination}}.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'topup_failed',
    title: 'Top-up failed',
    body: 'Your top-up did not go through; nothing was charged.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'refund_approved',
    title: 'Refund approved',
    body: '{{amount}} is on its way back to your {{destination}}.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'refund_rejected',
    title: 'Refund declined',
    body: 'Your refund request was declined.',
    channels: ['in_app', 'push'],
  },
  {
    event: 'otp',
    title: 'Your code',
    body: 'Your PowerBank code is {{code}}. It expires in 5 minutes.',
    channels: ['sms'],
    priority: 3,
    mandatory: true,
  },
  {
    // The admin's broadcast (admin.system.broadcast): its text is the broadcast's own.
    event: 'admin_broadcast',
    title: '{{title}}',
    body: '{{body}}',
    channels: ['in_app', 'push'],
  },
];

const COUPONS = [
  {
    code: 'WELCOME50',
    description: '50 bonus points for new users.',
    kind: 'points',
    value: 50,
    perUserLimit: 1,
  },
  {
    code: 'SPRING10',
    description: '10% off marketplace rentals.',
    kind: 'percent_discount',
    value: 10,
    perUserLimit: 1,
    globalLimit: 1000,
  },
  {
    code: 'RIDE2OFF',
    description: '2.00 off your next prepaid power bank rental.',
    kind: 'amount_discount',
    value: 200,
    perUserLimit: 1,
  },
] as const;

export class EngagementSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    await seedMissing(
      em,
      Achievement,
      ACHIEVEMENTS.map((a) => ({ key: a.code, data: a })),
      (a) => a.code,
    );

    const templateKey = (code: string, channel: string) => `${code}:${channel}:en`;
    const templates = await seedMissing(
      em,
      NotificationTemplate,
      EVENT_NOTIFICATIONS.flatMap((n) =>
        n.channels.map((channel) => ({
          key: templateKey(n.event, channel),
          data: { code: n.event, channel, locale: 'en', title: n.title, body: n.body },
        })),
      ),
      (t) => templateKey(t.code, t.channel),
    );
    // A rule points at the template of its first channel; the other channels reuse the text by code.
    await seedMissing(
      em,
      NotificationRule,
      EVENT_NOTIFICATIONS.map((n) => ({
        key: n.event,
        data: {
          eventCode: n.event,
          template: mustGet(templates, templateKey(n.event, n.channels[0] ?? 'in_app')),
          channels: [...n.channels],
          offsetMinutes: n.offsetMinutes ?? 0,
          priority: n.priority ?? 0,
          mandatory: n.mandatory ?? false,
        },
      })),
      (rule) => rule.eventCode,
    );

    await seedMissing(
      em,
      Coupon,
      COUPONS.map((c) => ({
        key: c.code,
        data: {
          ...c,
          currency: 'USD',
          validFrom: new Date('2026-01-01T00:00:00Z'),
          validTo: new Date('2027-12-31T23:59:59Z'),
        },
      })),
      (c) => c.code,
    );
    await em.flush();
  }
}
