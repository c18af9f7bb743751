/**
 * The benchmark's notices: the rules' mix of a rental's life — started, due soon and returned are
 * pushed; overdue (mandatory) is pushed and texted — so one notice in SMS_EVERY goes to both
 * providers and the others to FCM only. Each notice carries its sequence number to the providers
 * (the end of its text), by which the fakes' receipts are matched to the commit.
 */
export const SMS_EVERY = Number(process.env.BENCH_SMS_EVERY ?? 4);

/** The benchmark's users (seeded by the measurer, each with a phone and one push token). */
export const USERS = 2000;
/** The benchmark's user n (1…USERS), as the measurer seeds them. */
export const userId = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

export const PUSH_RULE = 'bench_pushed';
export const CRITICAL_RULE = 'bench_critical';

/** The rules the benchmark seeds: event code → channels (as the seeded rental rules). */
export const RULES = {
  [PUSH_RULE]: ['in_app', 'push'],
  [CRITICAL_RULE]: ['in_app', 'push', 'sms'],
} as const;

export const TEMPLATE_BODY = 'Notice {{seq}}';

export const typeOf = (seq: number) => (seq % SMS_EVERY === SMS_EVERY - 1 ? CRITICAL_RULE : PUSH_RULE);
export const textsOf = (seq: number) => (typeOf(seq) === CRITICAL_RULE ? 1 : 0);

/** A provider's text → the notice's sequence number (-1 when it has none). */
export const seqOf = (text: string | undefined) => Number(/(\d+)$/.exec(text ?? '')?.[1] ?? -1);

/** What one fake accepted: [sequence number, receipt time in ms since the epoch] per message. */
export type Receipts = [number, number][];
