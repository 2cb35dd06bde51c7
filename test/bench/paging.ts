// The incident minute with PagerDuty and Teams beside email and Slack (issue 26's bench row): every alert notifies
// all four channels (the same SMTP sink and Slack server as the plain incident minute, the fake PagerDuty Events API
// v2 and the fake Teams workflow of test/support/), so each matching alert gives four deliveries. alertcron only:
// ElastAlert2's pagerduty alerter posts to https://events.pagerduty.com hard-coded (pagerduty_proxy only tunnels
// that HTTPS request), so it cannot reach a local fake without intercepting TLS.
import type { PagerDutyServer } from '../support/pagerDutyServer.js';
import type { TeamsWorkflowServer } from '../support/teamsWorkflowServer.js';
import { INCIDENT_NOW } from './data.js';
import { primeIncident, type ScenarioBench, type ScenarioResult } from './primed.js';
import { summarise, type Sample, type Summary } from './run.js';

/** The two paging channels' names, and the channels each alert of the scenario notifies. */
export const PAGERDUTY_CHANNEL = 'oncall-pd';
export const TEAMS_CHANNEL = 'soc-teams';
export const PAGING_NOTIFY = ['soc-email', 'soc-slack', PAGERDUTY_CHANNEL, TEAMS_CHANNEL];
/** The environment variables that carry the two secrets (values from the fakes). */
export const PAGING_ENV = { routingKey: 'PAGERDUTY_ROUTING_KEY', teamsUrl: 'TEAMS_WEBHOOK_URL' } as const;

/** The PagerDuty and Teams channels pointed at the fakes, to add to the bench project's channels. */
export function pagingChannels(pagerDuty: PagerDutyServer): Record<string, unknown> {
  return {
    [PAGERDUTY_CHANNEL]: { type: 'pagerduty', routing_key: `\${${PAGING_ENV.routingKey}}`, source: '{{host.name}}', api_url: pagerDuty.base, timeout: '3s' },
    [TEAMS_CHANNEL]: { type: 'teams', webhook_url: `\${${PAGING_ENV.teamsUrl}}`, facts: ['host.name', 'source.ip'], timeout: '3s' },
  };
}

/** The secrets' values, to add to the project's environment. */
export function pagingEnv(pagerDuty: PagerDutyServer, teams: TeamsWorkflowServer): Record<string, string> {
  return { [PAGING_ENV.routingKey]: pagerDuty.routingKeys[0]!, [PAGING_ENV.teamsUrl]: teams.url };
}

/** Deliveries the four fakes received since they were last emptied, by channel. */
export interface PagingDeliveries {
  email: number;
  slack: number;
  pagerduty: number;
  teams: number;
}

export const totalDeliveries = (d: PagingDeliveries) => d.email + d.slack + d.pagerduty + d.teams;

/** PagerDuty events accepted (trigger events, counted on the alerts they opened or added to). */
export const pagerDutyEvents = (pd: PagerDutyServer) => pd.alerts.reduce((sum, a) => sum + a.triggers.length, 0);

/** What the scenario measured, or why it was not. */
export interface PagingResult extends ScenarioResult {
  /** Deliveries per fake in the last run. */
  byChannel?: PagingDeliveries;
}

/** What the scenario needs from the bench: its project (alerts notifying PAGING_NOTIFY), a measured run, the fakes. */
export interface PagingBench extends ScenarioBench {
  /** Deliveries the four fakes received since the last fresh(). */
  deliveries(): PagingDeliveries;
}

/** Measures the scenario; returns its result and the bench's check lines. */
export async function measurePaging(bench: PagingBench): Promise<{ result: PagingResult; checks: string[] }> {
  const { n, expectedMatches, runs, project } = bench;
  const result: PagingResult = { n, expectedMatches, runs };
  const tag = `PagerDuty and Teams N=${n}`;
  const primed = await primeIncident(project, bench.alertcron, tag, 'paging', 'the alerts with PagerDuty and Teams (a build without those channels?)');
  if (primed.skipped) return { result: { ...result, skipped: primed.skipped }, checks: primed.checks };
  const checks = primed.checks;
  const incident: Sample[] = [];
  const byRun: PagingDeliveries[] = [];
  for (let r = 0; r < runs; r++) {
    primed.restore();
    await bench.fresh();
    const s = await bench.alertcron(['run'], INCIDENT_NOW, `paging-incident-${r}`);
    const d = bench.deliveries();
    s.delivered = totalDeliveries(d);
    byRun.push(d);
    incident.push(s);
  }
  primed.drop();
  result.incident = summarise(incident);
  result.byChannel = byRun[byRun.length - 1];
  const each = (d: PagingDeliveries) => `${d.email}/${d.slack}/${d.pagerduty}/${d.teams}`;
  const bad = incident.filter((s, k) => s.code !== 0 || Object.values(byRun[k]!).some((v) => v !== expectedMatches));
  checks.push(bad.length
    ? `${tag} incident: alertcron exit codes ${incident.map((s) => s.code).join(',')}, delivered email/Slack/PagerDuty/Teams ${byRun.map(each).join(', ')} (expected ${expectedMatches} on each); stderr: ${bad[0]!.stderr.slice(0, 400)}`
    : `${tag} incident: alertcron exited 0 and delivered ${expectedMatches} notification(s) to each of email, Slack, PagerDuty and Teams in each of ${runs} runs`);
  return { result, checks };
}
