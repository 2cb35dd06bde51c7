import type { Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import type { StatusView } from '../inspect/statusView.js';
import { hostsLines } from '../inspect/hostsStatus.js';
import { PROBLEM_GRACE, problemWords } from '../policy/alertProblems.js';
import { durationSince, formatDuration } from '../util/duration.js';
import { leaseNow } from '../util/clock.js';
import { cleanText } from '../util/text.js';
import { describeSilence } from './silence.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The lines `alertcron status` prints for a status (each one clean: no escapes, direction overrides or line breaks). */
export function statusLines(status: StatusView, config: Config, loaded: Pick<LoadedAlerts, 'alerts'>, now: number): string[] {
  const alertOf = new Map(loaded.alerts.map((a) => [a.name, a]));
  const asking = new Set(loaded.alerts.filter((a) => a.ask).map((a) => a.name));
  const shared = status.hosts && status.leases ? { hosts: status.hosts, leases: status.leases } : undefined;
  const lines: string[] = [];
  const run = status.last_run;
  // With hosts sharing a cluster state, each host's last run is on its line (once any host wrote its heartbeat).
  if (!shared?.hosts.length) lines.push(run ? `last run: ${run.started}, took ${run.took}, exit code ${run.exit_code}${run.last_success ? `; last success ${run.last_success}` : ''}` : 'last run: never');
  if (shared) lines.push(...hostsLines(shared, leaseNow(), config.state.host_ttl));
  for (const [name, source] of Object.entries(status.sources).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (source.failures) lines.push(`source ${name}: failing for ${source.failures} run(s) since ${iso(source.since)}: ${source.lastError}`);
  }
  for (const a of status.alerts) {
    const ahead = a.window_end && Date.parse(a.window_end) > now ? ` (ahead of the clock by ${formatDuration(Date.parse(a.window_end) - now)}: the clock went back; the next run resumes before now)` : '';
    lines.push(`${a.name}: searched up to ${a.window_end ?? 'never'}${ahead}${a.last_error ? `; last error: ${a.last_error}` : ''}`);
    for (const p of a.problems) {
      const told = p.told ? `told ${p.told}` : `not told yet: told once it has lasted ${formatDuration(PROBLEM_GRACE)}`;
      lines.push(`  ${problemWords(p.kind).problem} (${p.kind}, since ${p.since}, ${told}): ${p.message}`);
    }
    for (const d of a.digests) {
      const per = d.per === null ? '' : ` for ${JSON.stringify(d.per)}`;
      const omitted = d.omitted ? ` (${d.omitted} more counted, not listed)` : '';
      const due = Date.parse(d.due) <= now ? `due ${d.due} (sent by the next run)` : `due ${d.due}`;
      lines.push(`  open digest${per}: ${d.findings} finding(s) in ${d.rows} row(s)${omitted}, ${d.keys} key(s), collecting since ${d.from}, ${due}`);
    }
    for (const f of a.firing) {
      const ack = f.acknowledged ? `, acknowledged by ${f.acknowledged.by}` : '';
      // The key's throttle is shown where it changes: with exponential_throttle.
      const growing = alertOf.get(a.name)?.throttle_cap !== undefined ? ` (throttle ${f.throttle})` : '';
      const next = f.next_repeat ? `, next repeat after ${f.next_repeat}${growing}` : '';
      // How long for, from the episode's start: said here, not in --json (whose fields stay the same from one moment to the next).
      const age = durationSince(f.firing_since, now);
      const since = f.firing_since_from === 'episode' ? `firing since ${f.firing_since} (for ${age})` : `first seen ${f.firing_since} (for ${age}; a state from an older version keeps no episode start)`;
      lines.push(`  firing ${JSON.stringify(f.key)}: ${asking.has(a.name) ? 'asked about' : 'notified'} ${f.times} time(s), last ${f.last_notified}${ack}${next}; ${since}`);
    }
  }
  lines.push(`pending deliveries: ${status.pending.length}`);
  for (const p of status.pending) {
    const next = p.next_attempt_after ? `, next attempt after ${p.next_attempt_after}` : '';
    lines.push(`  ${p.alert} ${JSON.stringify(p.key)} -> ${p.channel} since ${p.since}, ${p.attempts} attempt(s)${next}${p.last_error ? `: ${p.last_error}` : ''}`);
  }
  lines.push(`active silences: ${status.silences.length}`);
  for (const s of status.silences) lines.push(`  ${describeSilence(s, now)}`);
  for (const [channel, chats] of Object.entries(status.chats)) {
    const list = (entries: Record<string, { id: string; title: string; kind: string; by?: string; at: number }>) =>
      Object.values(entries).map((e) => `${e.id} ${JSON.stringify(e.title)} (${e.kind}${e.by ? `, by ${e.by}` : ''}, ${iso(e.at)})`);
    lines.push(`chats of ${channel}: ${Object.keys(chats.allowed).length} allowed, ${Object.keys(chats.requested).length} waiting, ${Object.keys(chats.banned).length} banned`);
    for (const line of list(chats.allowed)) lines.push(`  allowed ${line}`);
    for (const line of list(chats.requested)) lines.push(`  waiting ${line}`);
    for (const line of list(chats.banned)) lines.push(`  banned ${line}`);
  }
  if (status.chat_actions.length) {
    lines.push(`chat actions (latest ${status.chat_actions.length}):`);
    for (const e of status.chat_actions) lines.push(`  ${e.at} ${e.channel} chat ${e.chat}: ${e.by}: ${JSON.stringify(e.what)} ${e.ok ? 'done' : 'refused/failed'}: ${JSON.stringify(e.result)}`);
  }
  if (status.conversations) {
    lines.push(`conversations: ${status.conversations.filter((c) => !c.closed).length} open, ${status.conversations.filter((c) => c.closed).length} closed`);
    for (const c of status.conversations) {
      const due = c.closed ? '' : `, answer due ${c.deadline}`;
      lines.push(`  ${c.alert} ${JSON.stringify(c.key)} asking ${JSON.stringify(c.person)} on ${c.channel}: ${c.state}${c.reason ? ` (${c.reason})` : ''}${due}${c.last_error ? `; last error: ${c.last_error}` : ''}`);
      for (const step of c.steps) lines.push(`    ${step.at} ${step.state}: ${step.note}`);
    }
  }
  if (status.warning) lines.push(`warning: ${status.warning}`);
  // Names, titles, keys and errors come from chats, logs and servers: each line is shown clean (no escapes, direction overrides or line breaks).
  return lines.map((line) => cleanText(line).replaceAll('\n', ' '));
}
