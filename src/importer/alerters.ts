import type { ChannelBook, ChannelSecret } from './channels.js';
import { whereOf, type ElastAlertRule, type Origin } from './readRules.js';
import { quoteData } from './quote.js';
import { urlHasSecret } from './secretUrl.js';
import { convertHiveAlerter } from './theHive.js';

/** A note of the import: an option not converted, or converted with a difference, at `file:line`. */
export interface ImportNote {
  where: string;
  option: string;
  message: string;
}

/** What converting one rule's alerters gave: its channel names, and the rule keys they used. */
export interface AlertersResult {
  notify: string[];
  used: Set<string>;
}

/** Option prefixes of alerters alertcron has no channel for: their options are named once, with the alerter. */
const OTHER_ALERTER_PREFIXES = ['pagerduty_', 'opsgenie_', 'jira_', 'hive_', 'ms_teams_', 'ms_power_automate_', 'discord_', 'mattermost_', 'command', 'pipe_', 'victorops_', 'gitter_', 'servicenow_', 'alerta_', 'zabbix_', 'stomp_', 'sns_', 'ses_', 'chatwork_', 'dingtalk_', 'googlechat_', 'line_', 'rocket_chat_', 'lark_', 'gelf_', 'tencent_sms_', 'datadog_', 'exotel_', 'iris_', 'alertmanager_', 'workwechat_', 'matrixhookshot_', 'squadcast_', 'debug'];

/** A plain local@domain address out of an ElastAlert2 recipient (which may be `Name <addr>`). */
function address(text: string, domain: string | undefined): string {
  const inner = /<([^>]+)>/.exec(text)?.[1] ?? text;
  const trimmed = inner.trim();
  return domain && !trimmed.includes('@') ? `${trimmed}@${domain.replace(/^@/, '')}` : trimmed;
}

/** A string or a list (or a comma-separated string) as a list of strings. */
function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

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

/**
 * Converts a rule's alerters (email, slack, telegram, twilio, post/post2, hivealerter) into channels of the book, literal
 * secrets replaced by `${ENV}` references; every other alerter, and every alerter option alertcron has no
 * equivalent for, is a note with its `file:line`.
 */
export function convertAlerters(rule: ElastAlertRule, book: ChannelBook, notes: ImportNote[]): AlertersResult {
  const used = new Set<string>(['alert']);
  const notify: string[] = [];
  for (const alerter of alertersOf(rule)) {
    const options = { ...rule.value, ...alerter.options };
    // `file:line` of an option, or of a value inside it (hive_connection's hive_apikey).
    const where = (key: string, ...inside: (string | number)[]) => {
      const origin = key in alerter.options ? { yaml: alerter.origin.yaml, path: [...alerter.origin.path, key] } : rule.origin.get(key);
      if (!origin) return whereOf(alerter.origin);
      // A list item has no key of its own: its own line is the value's.
      return whereOf({ yaml: origin.yaml, path: [...origin.path, ...inside] }, typeof inside[inside.length - 1] !== 'number');
    };
    const note = (key: string, message: string) => notes.push({ where: where(key), option: key, message });
    const take = (key: string) => {
      used.add(key);
      return options[key];
    };
    const unsupported = (keys: string[], why: string) => {
      for (const key of keys) if (options[key] !== undefined) {
        used.add(key);
        note(key, why);
      }
    };
    const secret = (key: string, option: string, value: unknown): ChannelSecret => ({ key, literal: String(value), where: where(option), option });
    switch (alerter.name) {
      case 'email': {
        const domain = take('email_add_domain') as string | undefined;
        const to = listOf(take('email')).map((a) => address(a, domain));
        const copies = [...listOf(take('cc')), ...listOf(take('bcc'))].map((a) => address(a, domain));
        if (copies.length) note(options.cc !== undefined ? 'cc' : 'bcc', 'cc and bcc recipients become ordinary recipients of the channel (alertcron sends one mail to all of to:)');
        if (!to.length) {
          notes.push({ where: whereOf(alerter.origin), option: 'email', message: 'the email alerter has no email: recipients: not converted' });
          break;
        }
        const fromAddr = take('from_addr');
        let from = typeof fromAddr === 'string' ? address(fromAddr, undefined) : '';
        if (!/^[^@\s]+@[^@\s]+$/.test(from)) {
          from = 'elastalert@localhost';
          notes.push({ where: fromAddr === undefined ? whereOf(alerter.origin) : where('from_addr'), option: 'from_addr', message: `no plain from address (ElastAlert2's default is "ElastAlert"): the channel sends from ${quoteData(from)}, change it` });
        }
        const port = take('smtp_port');
        const ssl = take('smtp_ssl');
        const config: Record<string, unknown> & { type: string } = { type: 'email', host: (take('smtp_host') as string | undefined) ?? 'localhost', ...(port !== undefined ? { port: Number(port) } : {}), ...(ssl === true ? { secure: true } : {}), from, to: [...new Set([...to, ...copies])] };
        const secrets: ChannelSecret[] = [];
        const authFile = take('smtp_auth_file');
        if (authFile !== undefined) {
          secrets.push(secret('username', 'smtp_auth_file', `file:${String(authFile)}:user`), secret('password', 'smtp_auth_file', `file:${String(authFile)}:password`));
          note('smtp_auth_file', `the user and password in ${quoteData(authFile)} become the username and password variables of the email channels (in the list of variables)`);
        }
        unsupported(['email_reply_to', 'email_format', 'smtp_key_file', 'smtp_cert_file', 'email_from_field', 'email_cc_field', 'email_bcc_field', 'assets_dir', 'email_image_keys', 'email_image_values'], 'not converted: alertcron mails are plain text from the channel\'s own from:, to: and server settings');
        notify.push(book.add(config, secrets));
        break;
      }
      case 'slack': {
        const urls = listOf(take('slack_webhook_url'));
        if (!urls.length) notes.push({ where: whereOf(alerter.origin), option: 'slack_webhook_url', message: 'the slack alerter has no slack_webhook_url: not converted' });
        for (const url of urls) notify.push(book.add({ type: 'slack' }, [secret('webhook_url', 'slack_webhook_url', url)]));
        const timeout = take('slack_timeout');
        if (timeout !== undefined) note('slack_timeout', 'not converted: the channel\'s timeout (default 10s) applies');
        for (const key of Object.keys(options)) if (key.startsWith('slack_') && !used.has(key)) {
          used.add(key);
          note(key, 'not converted: an alertcron Slack channel posts plain text to its webhook\'s own channel, as the webhook\'s own user');
        }
        break;
      }
      case 'telegram': {
        const token = take('telegram_bot_token');
        const room = take('telegram_room_id');
        if (token === undefined || room === undefined) {
          notes.push({ where: whereOf(alerter.origin), option: 'telegram', message: 'the telegram alerter needs telegram_bot_token and telegram_room_id: not converted' });
          break;
        }
        const api = take('telegram_api_url');
        const chat = /^-?\d+$/.test(String(room)) ? Number(room) : String(room);
        notify.push(book.add({ type: 'telegram', chat_id: chat, ...(api ? { api_url: `https://${String(api)}` } : {}) }, [secret('bot_token', 'telegram_bot_token', token)]));
        for (const key of Object.keys(options)) if (key.startsWith('telegram_') && !used.has(key)) {
          used.add(key);
          note(key, 'not converted: alertcron sends plain HTML-escaped text without a proxy');
        }
        break;
      }
      case 'twilio': {
        const sid = take('twilio_account_sid');
        const token = take('twilio_auth_token');
        const to = listOf(take('twilio_to_number'));
        const from = take('twilio_from_number');
        const service = take('twilio_message_service_sid');
        if (sid === undefined || token === undefined || !to.length) {
          notes.push({ where: whereOf(alerter.origin), option: 'twilio', message: 'the twilio alerter needs twilio_account_sid, twilio_auth_token and twilio_to_number: not converted' });
          break;
        }
        take('twilio_use_copilot');
        notify.push(book.add({ type: 'twilio-sms', account_sid: String(sid), ...(service ? { messaging_service_sid: String(service) } : { from: String(from) }), to }, [secret('auth_token', 'twilio_auth_token', token)]));
        break;
      }
      case 'post':
      case 'post2':
      case 'webhook': {
        const prefix = alerter.name === 'post2' ? 'http_post2_' : 'http_post_';
        const urls = listOf(take(`${prefix}url`));
        if (!urls.length) {
          notes.push({ where: whereOf(alerter.origin), option: `${prefix}url`, message: `the ${alerter.name} alerter has no ${prefix}url: not converted` });
          break;
        }
        const headers = (take(`${prefix}headers`) ?? {}) as Record<string, unknown>;
        const secrets = Object.entries(headers).map(([name, value]) => {
          // The scheme of an Authorization header stays in the file; only the credential goes to the variable.
          const scheme = /^(Bearer|Basic|ApiKey|Token) (?=\S)/i.exec(String(value))?.[0];
          return { ...secret(`headers.${name}`, `${prefix}headers`, scheme ? String(value).slice(scheme.length) : value), ...(scheme ? { prefix: scheme } : {}) };
        });
        const timeout = take(`${prefix}timeout`);
        for (const url of urls) {
          // A URL that carries credentials (user:password@, a query, a chat webhook's token path) is a secret too.
          const secretUrl = urlHasSecret(url);
          const config: Record<string, unknown> & { type: string } = { type: 'webhook', url: secretUrl ? '' : url, ...(typeof timeout === 'number' ? { timeout: `${timeout}s` } : {}) };
          if (secretUrl) delete config.url;
          notify.push(book.add(config, [...(secretUrl ? [secret('url', `${prefix}url`, url)] : []), ...secrets]));
        }
        for (const key of Object.keys(options)) if (key.startsWith(prefix) && !used.has(key)) {
          used.add(key);
          note(key, 'not converted: an alertcron webhook POSTs its own JSON {alert, key, reason, title, message, sent_at}');
        }
        break;
      }
      case 'hivealerter':
      case 'elastalert_hive_alerter.hive_alerter.HiveAlerter': {
        for (const key of Object.keys(options)) {
          if (!key.startsWith('hive_')) continue;
          used.add(key);
          if (!['hive_connection', 'hive_alert_config', 'hive_observable_data_mapping', 'hive_proxies'].includes(key)) note(key, 'not converted: the TheHive alerter reads hive_connection, hive_alert_config and hive_observable_data_mapping');
        }
        const hive = convertHiveAlerter({ options, where, note: (at, option, message) => notes.push({ where: at, option, message }) });
        if (hive) notify.push(book.add(hive.config, hive.secrets));
        break;
      }
      default:
        notes.push({ where: whereOf(alerter.origin), option: 'alert', message: `the ${quoteData(alerter.name)} alerter has no alertcron channel: not converted` });
        // Its own options go with it: they are not named again one by one.
        for (const key of Object.keys(options)) if (OTHER_ALERTER_PREFIXES.some((p) => key.startsWith(p))) used.add(key);
    }
  }
  return { notify: [...new Set(notify)], used };
}
