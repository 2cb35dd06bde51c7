// N alert definitions of the common kinds, written twice: as an alertcron folder and as ElastAlert2 rules
// doing the same searches. Alert i watches server srv-i (see data.ts; beyond the 10,000 servers, alert i watches
// srv-(i mod 10,000): the multi-host bench's 40,000 alerts); kind by i % 3:
//   count    failed logons per user on the server, group_by user, count >= 20   | ElastAlert2: frequency + query_key + use_terms_query
//   any      a logon with the server's break-glass account adm-i                 | ElastAlert2: any
//   buckets  one source IP failing against >= 10 distinct users (terms + cardinality aggregation in the query)
//                                                                                | ElastAlert2: metric_aggregation (cardinality, query_key source.ip)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Project } from '../support/project.js';
import { adminName, COUNT_THRESHOLD, INDEX_PATTERN, kindOf, serverName, SERVERS, SPRAY_USERS } from './data.js';

const USER_FIELD = 'winlog.event_data.TargetUserName';

export const alertName = (i: number) => `bench-${String(i).padStart(4, '0')}-${kindOf(i)}`;

/** Matching alerts alternate between the two channels: i/10 even -> Slack, odd -> email. */
export function channelOf(i: number): 'soc-slack' | 'soc-email' {
  return Math.floor(i / 10) % 2 === 0 ? 'soc-slack' : 'soc-email';
}

function filters(i: number): Record<string, unknown>[] {
  const host = { term: { 'host.name': serverName(i % SERVERS) } };
  switch (kindOf(i)) {
    case 'count':
    case 'buckets':
      return [{ term: { 'event.code': '4625' } }, host];
    case 'any':
      return [{ term: { 'event.code': '4624' } }, { term: { [USER_FIELD]: adminName(i % SERVERS) } }];
  }
}

/**
 * Writes alerts/*.yaml (and queries/*.json for the aggregation alerts) of alerts 0..n-1 into the project. With
 * `digest`, each alert also notifies that channel, which gets an hourly digest instead of each notice (the
 * digest YAML of issue 25: `digest: { every: 1h, channels: [<channel>] }`). With `notify`, each alert notifies those
 * channels instead of its one email or Slack channel.
 */
export function writeAlertcronAlerts(project: Project, n: number, options: { digest?: string; notify?: string[] } = {}): void {
  for (let i = 0; i < n; i++) {
    const host = serverName(i % SERVERS);
    const notify = options.notify ?? [channelOf(i)];
    const base = options.digest
      ? { index: INDEX_PATTERN, notify: [...notify, options.digest], digest: { every: '1h', channels: [options.digest] } }
      : { index: INDEX_PATTERN, notify };
    const query = { query: { bool: { filter: filters(i) } } };
    switch (kindOf(i)) {
      case 'count':
        project.writeAlert(alertName(i), {
          description: `Failed logon burst for one account on ${host}`,
          ...base,
          query,
          condition: { type: 'count', gte: COUNT_THRESHOLD },
          group_by: USER_FIELD,
          title: `Failed logon burst on ${host}: {{key}}`,
          message: `{{count}} failed logons for {{key}} on ${host} between {{from}} and {{to}}, last from {{source.ip}}`,
        });
        break;
      case 'any':
        project.writeAlert(alertName(i), {
          description: `Logon with the break-glass account of ${host}`,
          ...base,
          query,
          condition: { type: 'any' },
          title: `Break-glass logon: ${adminName(i % SERVERS)}`,
          message: `{{count}} logons with ${adminName(i % SERVERS)} between {{from}} and {{to}}, last on {{host.name}} from {{source.ip}}`,
        });
        break;
      case 'buckets':
        project.writeQuery(`spray-${host}.json`, {
          ...query,
          aggs: { by_ip: { terms: { field: 'source.ip', size: 20 }, aggs: { users: { cardinality: { field: USER_FIELD } } } } },
        });
        project.writeAlert(alertName(i), {
          description: `Password spraying against ${host}`,
          ...base,
          query: `spray-${host}.json`,
          condition: { type: 'buckets', path: 'by_ip', value: 'users.value', gte: SPRAY_USERS },
          title: `Password spraying on ${host} from {{key}}`,
          message: `{{key}} failed against {{value}} accounts on ${host} between {{from}} and {{to}}`,
        });
        break;
    }
  }
}

/** Where the ElastAlert2 side sends and stores things. */
export interface ElastAlertTargets {
  esHost: string;
  esPort: number;
  writebackIndex: string;
  smtpPort: number;
  slackUrl: string;
}

/** Writes config.yaml and rules/*.yaml for ElastAlert2, equivalent to alerts 0..n-1; returns the config path. */
export function writeElastAlertRules(dir: string, n: number, t: ElastAlertTargets): string {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  const config = {
    rules_folder: 'rules',
    scan_subdirectories: false,
    run_every: { minutes: 1 },
    buffer_time: { minutes: 1 },
    es_host: t.esHost,
    es_port: t.esPort,
    writeback_index: t.writebackIndex,
    alert_time_limit: { days: 2 },
    max_threads: 10,
  };
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(config));
  for (let i = 0; i < n; i++) {
    const host = serverName(i);
    const alerter =
      channelOf(i) === 'soc-slack'
        ? { alert: ['slack'], slack_webhook_url: t.slackUrl, slack_timeout: 3 }
        : { alert: ['email'], email: ['soc@test.local'], from_addr: 'elastalert@test.local', smtp_host: '127.0.0.1', smtp_port: t.smtpPort };
    const common = { name: alertName(i), index: INDEX_PATTERN, timestamp_field: '@timestamp', filter: filters(i), realert: { minutes: 30 }, ...alerter };
    let rule: Record<string, unknown>;
    switch (kindOf(i)) {
      case 'count':
        rule = {
          ...common,
          type: 'frequency',
          num_events: COUNT_THRESHOLD,
          timeframe: { minutes: 1 },
          query_key: USER_FIELD,
          use_terms_query: true,
          terms_size: 100,
          alert_subject: `Failed logon burst on ${host}: {0}`,
          alert_subject_args: [USER_FIELD],
        };
        break;
      case 'any':
        rule = { ...common, type: 'any', alert_subject: `Break-glass logon: ${adminName(i)}` };
        break;
      case 'buckets':
        rule = {
          ...common,
          type: 'metric_aggregation',
          metric_agg_key: USER_FIELD,
          metric_agg_type: 'cardinality',
          query_key: 'source.ip',
          terms_size: 20,
          max_threshold: SPRAY_USERS - 1,
          alert_subject: `Password spraying on ${host} from {0}`,
          alert_subject_args: ['source.ip'],
        };
        break;
    }
    writeFileSync(join(dir, 'rules', `${alertName(i)}.yaml`), stringify(rule));
  }
  return configFile;
}

// ---- The mix of the ElastAlert2 rule types (issue 15): alert i watches server srv-i; its type by i % 10.
//   0 frequency           failed logons of one user on the server, 20 within 5m           | ElastAlert2: frequency + query_key
//   1 flatline            the server sends nothing for 1h                                  | flatline
//   2 spike               the server's events triple over 10m (at least 20)                | spike
//   3 new_term            an account never seen with privileges (4672) on the server in 1d | new_term
//   4 cardinality         one source IP failing against more than 9 users in 5m            | cardinality + query_key
//   5 change              a user's source IP on the server changed within 1h               | change + query_key
//   6 percentage_match    more than 50% of the server's events are failures (10 at least)  | percentage_match
//   7 metric_aggregation  distinct users failing per source IP above 9                     | metric_aggregation + query_key
//   8 blacklist           a logon with the server's break-glass or service account         | blacklist
//   9 whitelist           a logon type other than 2, 3, 11                                 | whitelist

/** The rule types of the mix, by i % 10. */
export const MIX_KINDS = ['frequency', 'flatline', 'spike', 'new_term', 'cardinality', 'change', 'percentage_match', 'metric_aggregation', 'blacklist', 'whitelist'] as const;
export type MixKind = (typeof MIX_KINDS)[number];
export const mixKindOf = (i: number): MixKind => MIX_KINDS[i % MIX_KINDS.length]!;
export const mixAlertName = (i: number) => `mix-${String(i).padStart(4, '0')}-${mixKindOf(i)}`;

const code = (c: string) => ({ term: { 'event.code': c } });

/** The filters, alertcron's condition and group_by, and ElastAlert2's rule options, of mix alert i. */
function mixRule(i: number): { filters: Record<string, unknown>[]; condition: Record<string, unknown>; group_by?: string; ea: Record<string, unknown> } {
  const host = { term: { 'host.name': serverName(i) } };
  const svc = `svc-${String(i).padStart(4, '0')}`;
  switch (mixKindOf(i)) {
    case 'frequency':
      return { filters: [code('4625'), host], condition: { type: 'frequency', num_events: COUNT_THRESHOLD, timeframe: '5m' }, group_by: USER_FIELD, ea: { type: 'frequency', num_events: COUNT_THRESHOLD, timeframe: { minutes: 5 }, query_key: USER_FIELD } };
    case 'flatline':
      return { filters: [host], condition: { type: 'flatline', threshold: 1, timeframe: '1h' }, ea: { type: 'flatline', threshold: 1, timeframe: { hours: 1 } } };
    case 'spike':
      return { filters: [host], condition: { type: 'spike', timeframe: '10m', spike_height: 3, spike_type: 'up', threshold_cur: COUNT_THRESHOLD }, ea: { type: 'spike', timeframe: { minutes: 10 }, spike_height: 3, spike_type: 'up', threshold_cur: COUNT_THRESHOLD } };
    case 'new_term':
      return { filters: [code('4672'), host], condition: { type: 'new_term', fields: [USER_FIELD], terms_window_size: '1d' }, ea: { type: 'new_term', fields: [USER_FIELD], terms_window_size: { days: 1 }, use_keyword_postfix: false } };
    case 'cardinality':
      return { filters: [code('4625'), host], condition: { type: 'cardinality', cardinality_field: USER_FIELD, max_cardinality: SPRAY_USERS - 1, timeframe: '5m' }, group_by: 'source.ip', ea: { type: 'cardinality', cardinality_field: USER_FIELD, max_cardinality: SPRAY_USERS - 1, timeframe: { minutes: 5 }, query_key: 'source.ip' } };
    case 'change':
      return { filters: [code('4624'), host], condition: { type: 'change', compare_key: 'source.ip', timeframe: '1h' }, group_by: USER_FIELD, ea: { type: 'change', compare_key: 'source.ip', ignore_null: true, timeframe: { hours: 1 }, query_key: USER_FIELD } };
    case 'percentage_match':
      return { filters: [host], condition: { type: 'percentage_match', match_bucket_filter: [code('4625')], max_percentage: 50, min_denominator: 10 }, ea: { type: 'percentage_match', match_bucket_filter: [code('4625')], max_percentage: 50, min_denominator: 10 } };
    case 'metric_aggregation':
      return { filters: [code('4625'), host], condition: { type: 'metric_aggregation', metric_agg_key: USER_FIELD, metric_agg_type: 'cardinality', max_threshold: SPRAY_USERS - 1 }, group_by: 'source.ip', ea: { type: 'metric_aggregation', metric_agg_key: USER_FIELD, metric_agg_type: 'cardinality', max_threshold: SPRAY_USERS - 1, query_key: 'source.ip', terms_size: 20 } };
    case 'blacklist':
      return { filters: [code('4624'), host], condition: { type: 'blacklist', compare_key: USER_FIELD, blacklist: [adminName(i), svc] }, ea: { type: 'blacklist', compare_key: USER_FIELD, blacklist: [adminName(i), svc] } };
    case 'whitelist':
      return { filters: [code('4624'), host], condition: { type: 'whitelist', compare_key: 'winlog.event_data.LogonType', whitelist: ['2', '3', '11'], ignore_null: true }, ea: { type: 'whitelist', compare_key: 'winlog.event_data.LogonType', whitelist: ['2', '3', '11'], ignore_null: true } };
  }
}

/** Writes alerts/*.yaml of mix alerts 0..n-1 into the project. */
export function writeMixAlerts(project: Project, n: number): void {
  for (let i = 0; i < n; i++) {
    const rule = mixRule(i);
    project.writeAlert(mixAlertName(i), {
      description: `${mixKindOf(i)} on ${serverName(i)}`,
      index: INDEX_PATTERN,
      notify: [channelOf(i)],
      query: { query: { bool: { filter: rule.filters } } },
      condition: rule.condition,
      ...(rule.group_by ? { group_by: rule.group_by } : {}),
      title: `${mixKindOf(i)} on ${serverName(i)}: {{key}}`,
      message: `{{count}} events for {{key}} on ${serverName(i)} between {{from}} and {{to}}`,
    });
  }
}

/** Writes ElastAlert2's config.yaml and rules/*.yaml for mix alerts 0..n-1; returns the config path. */
export function writeElastAlertMixRules(dir: string, n: number, t: ElastAlertTargets): string {
  const configFile = writeElastAlertRules(dir, 0, t);
  for (let i = 0; i < n; i++) {
    const rule = mixRule(i);
    const alerter =
      channelOf(i) === 'soc-slack'
        ? { alert: ['slack'], slack_webhook_url: t.slackUrl, slack_timeout: 3 }
        : { alert: ['email'], email: ['soc@test.local'], from_addr: 'elastalert@test.local', smtp_host: '127.0.0.1', smtp_port: t.smtpPort };
    const ea = { name: mixAlertName(i), index: INDEX_PATTERN, timestamp_field: '@timestamp', filter: rule.filters, realert: { minutes: 30 }, ...alerter, ...rule.ea, alert_subject: `${mixKindOf(i)} on ${serverName(i)}` };
    writeFileSync(join(dir, 'rules', `${mixAlertName(i)}.yaml`), stringify(ea));
  }
  return configFile;
}
