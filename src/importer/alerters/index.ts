import type { ChannelBook, ChannelSecret } from '../channels.js';
import { whereOf, type ElastAlertRule, type Origin } from '../readRules.js';
import { quoteData } from '../quote.js';
import type { AlerterChannel, AlerterContext, ImportNote } from './context.js';
import { convertAlertmanager } from './alertmanager.js';
import { convertCommand } from './command.js';
import { convertDebug } from './debug.js';
import { convertDiscord } from './discord.js';
import { convertEmail } from './email.js';
import { convertGoogleChat } from './googleChat.js';
import { convertHive } from './hive.js';
import { convertJira } from './jira.js';
import { convertMattermost } from './mattermost.js';
import { convertOpsgenie } from './opsgenie.js';
import { convertPagerDuty } from './pagerduty.js';
import { convertPost } from './post.js';
import { convertSlack } from './slack.js';
import { convertTeams } from './teams.js';
import { convertTelegram } from './telegram.js';
import { convertTwilio } from './twilio.js';

export type { ImportNote } from './context.js';

/** What converting one rule's alerters gave: its channel names, and the rule keys they used. */
export interface AlertersResult {
  notify: string[];
  used: Set<string>;
}

/** The converter of each ElastAlert2 alerter name alertcron has a channel for. */
const CONVERTERS: Readonly<Record<string, (ctx: AlerterContext) => AlerterChannel[]>> = Object.assign(Object.create(null) as Record<string, never>, {
  email: convertEmail,
  slack: convertSlack,
  telegram: convertTelegram,
  twilio: convertTwilio,
  post: convertPost,
  post2: convertPost,
  webhook: convertPost,
  hivealerter: convertHive,
  'elastalert_hive_alerter.hive_alerter.HiveAlerter': convertHive,
  pagerduty: convertPagerDuty,
  opsgenie: convertOpsgenie,
  ms_power_automate: convertTeams,
  ms_teams: convertTeams,
  discord: convertDiscord,
  mattermost: convertMattermost,
  googlechat: convertGoogleChat,
  jira: convertJira,
  alertmanager: convertAlertmanager,
  command: convertCommand,
  debug: convertDebug,
});

/** Option prefixes of alerters alertcron has no channel for: their options are named once, with the alerter. */
const OTHER_ALERTER_PREFIXES = ['pagerduty_', 'opsgenie_', 'jira_', 'hive_', 'ms_teams_', 'ms_power_automate_', 'discord_', 'mattermost_', 'command', 'pipe_', 'fail_on_non_zero_exit', 'victorops_', 'gitter_', 'servicenow_', 'alerta_', 'zabbix_', 'stomp_', 'sns_', 'ses_', 'chatwork_', 'dingtalk_', 'googlechat_', 'line_', 'rocket_chat_', 'lark_', 'gelf_', 'tencent_sms_', 'datadog_', 'exotel_', 'iris_', 'alertmanager_', 'workwechat_', 'matrixhookshot_', 'squadcast_', 'debug'];

/** The alerters of a rule as ElastAlert2 normalises them: names, each with its own options over the rule's. */
function alertersOf(rule: ElastAlertRule): { name: string; options: Record<string, unknown>; origin: Origin }[] {
  const alert = rule.value.alert;
  const origin = rule.origin.get('alert');
  if (!origin) return [];
  const items = Array.isArray(alert) ? alert : [alert];
  return items.flatMap((item, i) => {
    const at: Origin = { yaml: origin.yaml, path: Array.isArray(alert) ? ['alert', i] : ['alert'] };
    if (typeof item === 'string') return [{ name: item, options: {}, origin: at }];
    if (item && typeof item === 'object') return Object.entries(item as Record<string, unknown>).map(([name, options]) => ({ name, options: (options ?? {}) as Record<string, unknown>, origin: { yaml: at.yaml, path: [...at.path, name] } }));
    return [];
  });
}

/** The context a converter works in for one alerter: its options over the rule's, and notes at their lines. */
function contextOf(rule: ElastAlertRule, alerter: { name: string; options: Record<string, unknown>; origin: Origin }, used: Set<string>, notes: ImportNote[]): AlerterContext {
  const options = { ...rule.value, ...alerter.options };
  // `file:line` of an option, or of a value inside it (hive_connection's hive_apikey).
  const where = (key: string, ...inside: (string | number)[]) => {
    const origin = key in alerter.options ? { yaml: alerter.origin.yaml, path: [...alerter.origin.path, key] } : rule.origin.get(key);
    if (!origin) return whereOf(alerter.origin);
    // A list item has no key of its own: its own line is the value's.
    return whereOf({ yaml: origin.yaml, path: [...origin.path, ...inside] }, typeof inside[inside.length - 1] !== 'number');
  };
  const note = (key: string, message: string) => notes.push({ where: where(key), option: key, message });
  return {
    name: alerter.name,
    ruleFile: rule.file,
    options,
    origin: alerter.origin,
    where,
    note,
    noteAlerter: (option, message) => notes.push({ where: whereOf(alerter.origin), option, message }),
    noteAt: (at, option, message) => notes.push({ where: at, option, message }),
    take: (key) => {
      used.add(key);
      return options[key];
    },
    isUsed: (key) => used.has(key),
    use: (key) => void used.add(key),
    unsupported: (keys, why) => {
      for (const key of keys) if (options[key] !== undefined) {
        used.add(key);
        note(key, why);
      }
    },
    rest: (prefix, why) => {
      for (const key of Object.keys(options)) if (key.startsWith(prefix) && !used.has(key)) {
        used.add(key);
        note(key, why);
      }
    },
    refuse: (option, prefix, why) => {
      notes.push({ where: whereOf(alerter.origin), option, message: `the ${alerter.name} alerter ${why ?? `has no ${option}`}: not converted` });
      for (const key of Object.keys(options)) if (key.startsWith(prefix) && !used.has(key)) {
        used.add(key);
        note(key, 'not converted with the alerter');
      }
      return [];
    },
    secret: (key, option, value): ChannelSecret => ({ key, literal: String(value), where: where(option), option }),
  };
}

/**
 * Converts a rule's alerters into channels of the book (one converter per alerter family: email, slack, telegram,
 * twilio, post/post2, hivealerter, pagerduty, opsgenie, ms_power_automate/ms_teams, discord, mattermost,
 * googlechat, jira, alertmanager, command, debug), literal secrets
 * replaced by `${ENV}` references; every other alerter, and every alerter option alertcron has no equivalent
 * for, is a note with its `file:line`.
 */
export function convertAlerters(rule: ElastAlertRule, book: ChannelBook, notes: ImportNote[]): AlertersResult {
  const used = new Set<string>(['alert']);
  const notify: string[] = [];
  for (const alerter of alertersOf(rule)) {
    const convert = CONVERTERS[alerter.name];
    if (convert) {
      for (const channel of convert(contextOf(rule, alerter, used, notes))) notify.push(book.add(channel.config, channel.secrets));
      continue;
    }
    notes.push({ where: whereOf(alerter.origin), option: 'alert', message: `the ${quoteData(alerter.name)} alerter has no alertcron channel: not converted` });
    // Its own options go with it: they are not named again one by one.
    for (const key of Object.keys({ ...rule.value, ...alerter.options })) if (OTHER_ALERTER_PREFIXES.some((p) => key.startsWith(p))) used.add(key);
  }
  return { notify: [...new Set(notify)], used };
}
