/**
 * The raw side of `bench:rentals`: the SQL statements one rental's path issues,
 * in order, as a pgbench script (one pgbench transaction = one rental). See
 * bench-rentals.ts for where each statement comes from.
 *
 * pgbench runs it twice: with its default simple protocol (each statement's
 * text parsed and planned per call: the figure the ratio is taken against) and
 * with `-M prepared` (parsed once per connection, as the services' own
 * statements are: sqlRows, station-core's pool). The same script serves both:
 * quoted literals in simple mode, bound parameters when prepared — typed where
 * Postgres cannot infer a parameter's type (the arguments of
 * jsonb_build_object/array). Keys are variables too: the services bind them as
 * parameters, and pgbench would read a `:word` inside a literal as a variable.
 */
import { textWith } from '@powerbank/db';
import { ACHIEVEMENT_PROGRESS, IN_APP_NOTICE } from '@powerbank/engagement';
import { entryText, PAYMENT_CONFIG_KEYS, POINTS_ENTRY_WRITTEN } from '@powerbank/ledger';
import {
  ACTIVATE_START,
  INSERT_PAID_RENTAL,
  READ_OPEN_WITH_BANK,
  RENTAL_CONFIG_KEYS,
  RENTAL_STATUS,
  SAVE_RENTAL_UNCHANGED,
  START_READ,
} from '@powerbank/rentals';
import { SAVE_SNAPSHOTS, UPDATE_STATIONS, UPSERT_SLOTS } from '@powerbank/station-core';

export interface RawRentalSetup {
  /** Rows of bench_pg_station: each client works at one station. */
  stationRows: number;
  packageId: number;
  /** The package's price (minor units). */
  price: number;
  slotCount: number;
}

export function rentalRawScript(protocol: 'simple' | 'prepared', setup: RawRentalSetup): string {
  const { stationRows, packageId, price: PRICE, slotCount: SLOTS } = setup;
  /** station-core's writes: station-store.ts's compiled queries, each batch's rows built as one jsonb here. */
  /** The snapshots' statement: the update (the expected version read in place: each client owns its station) and the count check. */
  const actorState = (sn: string) =>
    `${textWith(SAVE_SNAPSHOTS, {
      firsts: `'[]'`,
      laters: `(select jsonb_build_array(jsonb_build_object('sn', ${sn}, 'mv', 1, 'snapshot', bench_pg_snapshot.snapshot, 'version', v.version + 1, 'expected', v.version)) from bench_pg_snapshot, station_actor_state v where v.serial_number = ${sn})`,
      count: '1',
    })};`;
  const stationUpdate = (sn: string) =>
    `${textWith(UPDATE_STATIONS, {
      rows: `jsonb_build_array(jsonb_build_object('sn', ${sn}, 'status', 'online', 'hb', now(), 'fw', 'sim-1.0.0', 'slot_count', ${SLOTS}))`,
    })};`;
  const slotUpsert = (sn: string, status: string, serial: string) =>
    `${textWith(UPSERT_SLOTS, {
      rows: `jsonb_build_array(jsonb_build_object('sn', ${sn}, 'slotIndex', :slot, 'status', ${status}, 'powerBankSerial', ${serial}, 'battery', 90))`,
    })};`;
  /**
   * A station-core batch write (station-store.ts): one compound query (pgbench's `\\;`), which
   * Postgres runs as one transaction, as the service sends it. pgbench cannot prepare a compound
   * query, so in prepared mode these are separate statements in a transaction.
   */
  const stationWrite = (snapshot: string, rest: string[]) => {
    const strip = (sql: string) => sql.trim().replace(/;$/, '');
    if (protocol === 'prepared') return ['begin;', snapshot, ...rest, 'commit;'].join('\n');
    return `${[snapshot, ...rest].map(strip).join(' \\;\n')};`;
  };
  /**
   * rental-record.ts's saveRentalIfUnchanged (SAVE_RENTAL_UNCHANGED, its compiled query): every
   * field an event may change, written only while the figures read (a fresh prepaid rental's) hold.
   */
  const saveRental = (status: string, returnStation: string, returnSlot: string, returnedAt: string) =>
    textWith(SAVE_RENTAL_UNCHANGED, {
      id: ':rid',
      status,
      powerBankId: ':pbid',
      startSlotIndex: ':slot',
      returnStationId: returnStation,
      returnSlotIndex: returnSlot,
      prepaidAmount: `${PRICE}`,
      heldAmount: '0',
      overageAmount: '0',
      lateFeeAmount: '0',
      settledAmount: '0',
      dueAmount: '0',
      extensionCount: '0',
      failureReason: 'null',
      startedAt: 'now()',
      dueAt: `now() + interval '1 hour'`,
      returnedAt,
      settledAt: returnedAt,
      cancelledAt: 'null',
      readStatus: `'active'`,
      readExtensionCount: '0',
      readPrepaidAmount: `${PRICE}`,
      readHeldAmount: '0',
      readDueAmount: '0',
      readSettledAmount: '0',
    });
  /**
   * rental-record.ts's saveRentalIfUnchanged: the rental's write with its notice and other writes as
   * one compound query (`\\;`), which Postgres runs as one transaction, as the runner sends it;
   * with `-M prepared` separate statements in a transaction.
   */
  const withNotice = (update: string, ...writes: string[]) =>
    protocol === 'prepared'
      ? ['begin;', `${[update, ...writes].join(';\n')};`, 'commit;'].join('\n')
      : `${[update, ...writes].join(' \\;\n')};`;
  /** rental-notify.ts's noticeStatement (engagement's IN_APP_NOTICE, its compiled query): an event's in-app notice. */
  const notice = (type: string, title: string, body: string, dedupeKey: string) =>
    textWith(IN_APP_NOTICE, {
      id: 'gen_random_uuid()',
      userId: ':uid',
      type,
      title,
      body,
      payload: `'{}'`,
      dedupeKey,
    });
  /** The settlement's achievement progress (a timely return), as rental-events.ts sends it with the update. */
  const progress = textWith(ACHIEVEMENT_PROGRESS, {
    userId: ':uid',
    metrics: `'rentals,timely_returns'`,
  }).replace(/\s+/g, ' ');
  /**
   * The settlement's points credit and its check (ledger-entry.ts's pointsCreditStatements, their
   * compiled queries), sent with the rental's update as rental-events.ts sends them.
   */
  const pointsCredit = (type: 'rental_reward' | 'timely_return', amount: number, keyVar: string) =>
    [
      entryText(
        'points',
        'credit',
        { userId: '', amount, type, idempotencyKey: '', reference: { type: 'rental', id: '' } },
        { entryId: 'gen_random_uuid()', userId: ':uid', referenceId: ':rid', idempotencyKey: keyVar },
      ),
      textWith(POINTS_ENTRY_WRITTEN, { key: keyVar }),
    ].map((text) => text.replace(/\s+/g, ' '));
  /** The settings a statement reads (the real keys: the bench database has their rows). */
  const keys = (list: readonly string[]) => `array[${list.map((k) => `'${k}'`).join(', ')}]`;
  /** rental-start-queries.ts's START_READ (its compiled query): the start's first read, the user and the station locked. */
  const startRead = textWith(START_READ, {
    idempotencyKey: ':rid',
    userId: ':uid',
    stationSn: ':sn',
    packageId: `${packageId}`,
    configKeys: keys(RENTAL_CONFIG_KEYS),
    paymentKey: ':k_start',
    paymentConfigKeys: keys(PAYMENT_CONFIG_KEYS),
  });
  /**
   * rental-start-queries.ts's INSERT_PAID_RENTAL (its compiled query): the rental written, no
   * discount, with its payment from the wallet (the payment's row, the debit and its ledger row).
   */
  const insertRental = textWith(INSERT_PAID_RENTAL, {
    id: ':rid',
    userId: ':uid',
    packageId: `${packageId}`,
    stationId: ':stid',
    paymentMode: `'wallet'`,
    rentalCurrency: `'USD'`,
    startKey: ':rid',
    dispenseCommandId: ':cid',
    minBatteryPct: '20',
    prepaidAmount: `${PRICE}`,
    walletPaid: `${PRICE}`,
    pointsPaid: '0',
    discountUsageId: 'null',
    discountAmount: '0',
    paymentId: ':tid',
    payerId: ':uid',
    paymentType: `'rental'`,
    total: `${PRICE}`,
    currency: `'USD'`,
    walletAmount: `${PRICE}`,
    pointsUsed: '0',
    gateway: `'wallet'`,
    rentalId: ':rid',
    note: `'Rental'`,
    metadata: `'{}'`,
    paymentKey: ':k_start',
    amount: `${PRICE}`,
    earned: '0',
    entryId: 'gen_random_uuid()',
    type: `'rental_charge'`,
    delta: `-${PRICE}`,
    referenceType: `'rental'`,
    referenceId: ':rid',
    transactionId: ':tid',
    idempotencyKey: ':k_start_wallet',
    description: `'Rental'`,
  });
  /** dispense-outcome.ts's ACTIVATE_START (its compiled query): the api's answer applied to the rental it started, with its notice. */
  const activateStart = textWith(ACTIVATE_START, {
    rentalId: ':rid',
    from: `'pending'`,
    to: `'active'`,
    powerBankSerial: ':pbs',
    slot: ':slot',
    startedAt: 'now()',
    dueAt: `now() + interval '1 hour'`,
    id: 'gen_random_uuid()',
    userId: ':uid',
    type: `'rental_started'`,
    title: `'Rental started'`,
    body: `'Take your power bank. Return it to any station.'`,
    payload: `'{}'`,
    dedupeKey: ':k_started',
  });
  const KEYS = ['start', 'start:wallet', 'started', 'reward', 'timely', 'returned'];
  const keyVar = (what: string) => `k_${what.replace(':', '_')}`;
  /**
   * The script's variables, read per rental: in simple mode as quoted literals pasted into the text,
   * with `-M prepared` as plain values bound as parameters.
   */
  const variables = () => {
    const lit = (expr: string) => (protocol === 'simple' ? `quote_literal(${expr})` : expr);
    return `
\\set n random(1, 2000)
\\set st (:client_id % ${stationRows}) + 1
select ${lit('user_id')} as uid, ${lit('session_id')} as sid, ${lit('rl_key')} as rlkey from bench_pg_user where n = :n \\gset
select ${lit('station_id')} as stid, ${lit('sn')} as sn, ${lit('pb_id')} as pbid, ${lit('pb_serial')} as pbs, slot from bench_pg_station where n = :st \\gset
select ${lit('r')} as rid, ${lit('t')} as tid, ${lit('c')} as cid, ${KEYS.map((what) => `${lit(`bench_key(r, '${what.split(':').join("', '")}')`)} as ${keyVar(what)}`).join(', ')}
  from (select gen_random_uuid()::text as r, gen_random_uuid()::text as t, gen_random_uuid()::text as c) ids \\gset
`;
  };
  const statements = `select s.id, s.expires_at, s.revoked_at, u.id as user_id, u.status as user_status, a.id as admin_id, a.role as admin_role from user_session s join users u on u.id = s.user_id left join admin_profile a on a.user_id = u.id and a.is_active where s.id = :sid limit 1;
insert into rate_limit_counter as c (key, hits, reset_at) values (:rlkey, 1, now() + make_interval(secs => 60)) on conflict (key) do update set hits = case when c.reset_at <= now() then 1 else c.hits + 1 end, reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end returning hits, reset_at;
begin;
${startRead};
${insertRental};
commit;
${stationWrite(`${actorState(':sn')}`, [
  `${slotUpsert(':sn', `'ejecting'`, ':pbs')}`,
  `insert into station_command (id, serial_number, kind, slot_index, rental_id, payload, status, created_at, updated_at) select x.id, x.sn, x.kind, x."slotIndex", case when x."rentalId" ~ '^[0-9a-f-]{36}$' then x."rentalId"::uuid else null end, x.payload, 'pending', now(), now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('id', :cid, 'sn', :sn, 'kind', 'eject', 'slotIndex', :slot, 'rentalId', :rid, 'payload', jsonb_build_object('v', 1, 'kind', 'eject', 'msgId', :cid, 'ts', 1700000000000, 'commandId', :cid, 'slot', :slot, 'rentalId', :rid)))) as x(id text, sn text, kind text, "slotIndex" int, "rentalId" text, payload jsonb) on conflict (id) do nothing;`,
])}
update station_command set status = 'sent', sent_at = now(), updated_at = now() where status = 'pending' and id in (select value from jsonb_array_elements_text(jsonb_build_array(:cid)));
${stationWrite(`${actorState(':sn')}`, [
  `${stationUpdate(':sn')}`,
  `${slotUpsert(':sn', `'empty'`, 'null')}`,
  `update power_bank pb set status = 'rented', current_station_id = null, current_slot_index = null, current_rental_id = case when x.rental ~ '^[0-9a-f-]{36}$' then x.rental::uuid else null end, last_seen_at = now(), updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('serial', :pbs, 'rental', :rid))) as x(serial text, rental text) where pb.serial_number = x.serial;`,
  `update station_command c set status = x.status, result = x.result, resolved_at = now(), updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('id', :cid, 'status', 'succeeded', 'result', jsonb_build_object('ok', true, 'slot', :slot, 'powerBankSerial', :pbs)))) as x(id text, status text, result jsonb) where c.id = x.id;`,
])}
${activateStart};
${textWith(RENTAL_STATUS, { id: ':rid' })};
${stationWrite(`${actorState(':sn')}`, [
  `${stationUpdate(':sn')}`,
  `insert into power_bank (id, serial_number, status, battery_level, current_station_id, current_slot_index, current_rental_id, last_seen_at, created_at, updated_at) select gen_random_uuid(), x.pb, 'in_slot', x.battery, st.id, x.slot_index, null, now(), now(), now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('sn', :sn, 'slot_index', :slot, 'pb', :pbs, 'battery', 90))) as x(sn text, slot_index int, pb text, battery int) join station st on st.serial_number = x.sn where x.pb is not null on conflict (serial_number) do update set status = case when power_bank.status in ('retired') then power_bank.status else 'in_slot' end, battery_level = excluded.battery_level, current_station_id = excluded.current_station_id, current_slot_index = excluded.current_slot_index, current_rental_id = null, last_seen_at = now(), updated_at = now();`,
  `update station_slot ss set power_bank_id = null, status = 'empty', battery_level = null, last_changed_at = now(), updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('sn', :sn, 'slotIndex', :slot, 'powerBankSerial', :pbs))) as x(sn text, "slotIndex" int, "powerBankSerial" text) join station st on st.serial_number = x.sn join power_bank pb on pb.serial_number = x."powerBankSerial" where ss.power_bank_id = pb.id and not (ss.station_id = st.id and ss.slot_index = x."slotIndex");`,
  `${slotUpsert(':sn', `'ready'`, ':pbs')}`,
])}
${textWith(READ_OPEN_WITH_BANK, { bankSerial: ':pbs', configKeys: keys(RENTAL_CONFIG_KEYS), stationSn: ':sn', powerBankSerial: 'null' })};
${withNotice(saveRental("'settled'", ':stid', ':slot', 'now()'), notice(`'rental_returned'`, `'Returned'`, `'Thanks'`, ':k_returned'), ...pointsCredit('rental_reward', 5, ':k_reward'), ...pointsCredit('timely_return', 50, ':k_timely'), progress)}
`;
  return variables() + typedInJsonBuilders(statements);
}

/** `:name` → `:name::text` (`::int` for the slot) inside every jsonb_build_object/array call. */
function typedInJsonBuilders(sql: string): string {
  let out = '';
  let at = 0;
  for (const match of sql.matchAll(/jsonb_build_(object|array)\(/g)) {
    if (match.index < at) continue; // inside a builder already typed
    let depth = 0;
    let end = match.index + match[0].length - 1;
    do {
      if (sql[end] === '(') depth += 1;
      if (sql[end] === ')') depth -= 1;
      end += 1;
    } while (depth > 0);
    const call = sql
      .slice(match.index, end)
      .replace(/:(\w+)\b(?!::)/g, (_all, name: string) => `:${name}::${name === 'slot' ? 'int' : 'text'}`);
    out += sql.slice(at, match.index) + call;
    at = end;
  }
  return out + sql.slice(at);
}
