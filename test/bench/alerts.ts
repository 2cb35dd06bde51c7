// N alert definitions of the common kinds, written twice: as an alertcron folder and as ElastAlert2 rules
// doing the same searches. Alert i watches server srv-i (see data.ts); kind by i % 3:
//   count    failed logons per user on the server, group_by user, count >= 20   | ElastAlert2: frequency + query_key + use_terms_query
//   any      a logon with the server's break-glass account adm-i                 | ElastAlert2: any
//   buckets  one source IP failing against >= 10 distinct users (terms + cardinality aggregation in the query)
//                                                                                | ElastAlert2: metric_aggregation (cardinality, query_key source.ip)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Project } from '../support/project.js';
import { adminName, COUNT_THRESHOLD, INDEX_PATTERN, kindOf, serverName, SPRAY_USERS } from './data.js';

const USER_FIELD = 'winlog.event_data.TargetUserName';

export const alertName = (i: number) => `bench-${String(i).padStart(4, '0')}-${kindOf(i)}`;

/** Matching alerts alternate between the two channels: i/10 even -> Slack, odd -> email. */
export function channelOf(i: number): 'soc-slack' | 'soc-email' {
  return Math.floor(i / 10) % 2 === 0 ? 'soc-slack' : 'soc-email';
}

function filters(i: number): Record<string, unknown>[] {
  const host = { term: { 'host.name': serverName(i) } };
  switch (kindOf(i)) {
    case 'count':
    case 'buckets':
      return [{ term: { 'event.code': '4625' } }, host];
    case 'any':
      return [{ term: { 'event.code': '4624' } }, { term: { [USER_FIELD]: adminName(i) } }];
  }
}

/** Writes alerts/*.yaml (and queries/*.json for the aggregation alerts) of alerts 0..n-1 into the project. */
export function writeAlertcronAlerts(project: Project, n: number): void {
  for (let i = 0; i < n; i++) {
    const host = serverName(i);
    const base = { index: INDEX_PATTERN, notify: [channelOf(i)] };
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
          title: `Break-glass logon: ${adminName(i)}`,
          message: `{{count}} logons with ${adminName(i)} between {{from}} and {{to}}, last on {{host.name}} from {{source.ip}}`,
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
