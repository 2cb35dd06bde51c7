// The incident minute with a digest channel beside email and Slack (issue 25's bench row): every alert also notifies
// `digest-mail`, which collects its findings for an hourly digest instead of getting each notice. Measured: the
// incident minute itself (the same notices to email and Slack as without the digest, plus the rows collected), and
// the first run after the hour, which sends one digest per alert that matched.
import type { SmtpSink } from '../support/smtpSink.js';
import { INCIDENT_NOW } from './data.js';
import { primeIncident, type ScenarioBench, type ScenarioResult } from './primed.js';
import { summarise, type Sample, type Summary } from './run.js';

/** The digest channel's name and its one recipient (the same SMTP sink as soc-email). */
export const DIGEST_CHANNEL = 'digest-mail';
export const DIGEST_TO = 'digest@test.local';
/** The run that sends the digests: the first cron minute after the hour that began with the incident minute's findings. */
export const DIGEST_SEND_NOW = INCIDENT_NOW + 61 * 60_000;

/** The digest channel, to add to the bench project's channels. */
export function digestChannel(smtpPort: number): Record<string, unknown> {
  return { type: 'email', host: '127.0.0.1', port: smtpPort, starttls: 'ignore', from: 'alertcron@test.local', to: [DIGEST_TO], timeout: '3s' };
}

/** What the digest scenario measured, or why it was not. */
export interface DigestResult extends ScenarioResult {
  /** The run an hour later that sends the digests (one per matching alert). */
  send?: Summary;
}

/** What the scenario needs from the bench: its project (alerts written with the digest), a measured run, the sinks. */
export interface DigestBench extends ScenarioBench {
  smtp: SmtpSink;
  /** Notifications the sinks received since the last fresh(). */
  delivered(): number;
}

/** Measures the scenario; returns its result and the bench's check lines. */
export async function measureDigest(bench: DigestBench): Promise<{ result: DigestResult; checks: string[] }> {
  const { n, expectedMatches, runs, project } = bench;
  const result: DigestResult = { n, expectedMatches, runs };
  const tag = `digest N=${n}`;
  const primed = await primeIncident(project, bench.alertcron, tag, 'digest', 'the digest alerts (a build without digest support?)');
  if (primed.skipped) return { result: { ...result, skipped: primed.skipped }, checks: primed.checks };
  const checks = primed.checks;
  const incident: Sample[] = [];
  const send: Sample[] = [];
  const digests: number[] = [];
  for (let r = 0; r < runs; r++) {
    primed.restore();
    await bench.fresh();
    const i = await bench.alertcron(['run'], INCIDENT_NOW, `digest-incident-${r}`);
    i.delivered = bench.delivered();
    incident.push(i);
    await bench.fresh();
    const s = await bench.alertcron(['run'], DIGEST_SEND_NOW, `digest-send-${r}`);
    s.delivered = bench.delivered();
    digests.push(bench.smtp.messages.filter((m) => m.to.includes(DIGEST_TO)).length);
    send.push(s);
  }
  primed.drop();
  result.incident = summarise(incident);
  result.send = summarise(send);
  const badIncident = incident.filter((s) => s.code !== 0 || s.delivered !== expectedMatches);
  checks.push(badIncident.length
    ? `${tag} incident: alertcron exit codes ${incident.map((s) => s.code).join(',')}, delivered ${incident.map((s) => s.delivered).join(',')} (expected ${expectedMatches}, none to ${DIGEST_CHANNEL}); stderr: ${badIncident[0]!.stderr.slice(0, 400)}`
    : `${tag} incident: alertcron exited 0 and delivered ${expectedMatches} notification(s) to email and Slack (none to ${DIGEST_CHANNEL}) in each of ${runs} runs`);
  const badSend = send.filter((s, k) => s.code !== 0 || digests[k] !== expectedMatches || s.delivered !== expectedMatches);
  checks.push(badSend.length
    ? `${tag} digest run: alertcron exit codes ${send.map((s) => s.code).join(',')}, digests ${digests.join(',')}, all notifications ${send.map((s) => s.delivered).join(',')} (expected ${expectedMatches} digests and nothing else); stderr: ${badSend[0]!.stderr.slice(0, 400)}`
    : `${tag} digest run: alertcron exited 0 and delivered ${expectedMatches} digest(s) and nothing else in each of ${runs} runs`);
  return { result, checks };
}
