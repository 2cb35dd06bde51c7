import { convertHiveAlerter } from '../theHive.js';
import type { AlerterChannel, AlerterContext } from './context.js';

/** hive_ options the TheHive converter reads; any other is named. */
const READ = ['hive_connection', 'hive_alert_config', 'hive_observable_data_mapping', 'hive_proxies'];

/** ElastAlert2's hivealerter (or the elastalert_hive_alerter plugin) as a `thehive` channel. */
export function convertHive(ctx: AlerterContext): AlerterChannel[] {
  for (const key of Object.keys(ctx.options)) {
    if (!key.startsWith('hive_')) continue;
    ctx.use(key);
    if (!READ.includes(key)) ctx.note(key, 'not converted: the TheHive alerter reads hive_connection, hive_alert_config and hive_observable_data_mapping');
  }
  const hive = convertHiveAlerter({ options: ctx.options, where: ctx.where, note: ctx.noteAt });
  return hive ? [hive] : [];
}
