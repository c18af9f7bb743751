// `export:stations [file]`: the stations of DATABASE_URL with their slots and power banks, as the
// station simulator's --stations-file expects, so the dev stack simulates exactly the seeded network.
import { writeFileSync } from 'node:fs';
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '../open-orm.ts';

const env = parseConfig(commonEnv);
const orm = await openOrm({ ...env, DB_POOL_MIN: 0, DB_POOL_MAX: 2 });
try {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ stations: unknown }[]>(
      `select coalesce(json_agg(json_build_object(
              'sn', st.serial_number,
              'slotCount', st.slot_count,
              'powerBanks', (select coalesce(json_agg(json_build_object('slot', ss.slot_index, 'serial', pb.serial_number,
                                                                        'battery', coalesce(ss.battery_level, pb.battery_level))
                                                      order by ss.slot_index), '[]'::json)
                               from station_slot ss join power_bank pb on pb.id = ss.power_bank_id
                              where ss.station_id = st.id)
            ) order by st.serial_number), '[]'::json) as stations
       from station st
      where st.status <> 'decommissioned' and st.is_public`,
    );
  const json = JSON.stringify(rows[0]?.stations ?? [], null, 1);
  const file = process.argv[2];
  if (file) writeFileSync(file, json);
  else process.stdout.write(`${json}\n`);
} finally {
  await orm.close();
}
