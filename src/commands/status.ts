import { currentThrottle, isFiring } from '../policy/decide.js';
import { isActive } from '../policy/silences.js';
import { targetOf, type AlertState } from '../model/state.js';
import { ownProblem, PROBLEM_GRACE, problemWords } from '../policy/alertProblems.js';
import { openProject } from './project.js';
import { formatDuration } from '../util/duration.js';
import { ExitCode } from '../util/errors.js';
import { printJson } from './printReport.js';
import { describeSilence } from './silence.js';
import { ESCALATION_REASONS, isClosed } from '../model/conversation.js';
import { ownValue } from '../util/plainMap.js';
import { lateSetAsideWarning } from '../state/setAside.js';
import { cleanText } from '../util/text.js';
import { leaseNow } from '../util/clock.js';
import { hostsLines, hostsStatus } from './statusHosts.js';

/** How many of the latest chat actions `status` lists. */
const CHAT_LOG_SHOWN = 20;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** `alertcron status`: the last run, each alert's window and firing keys, pending deliveries, silences, sources. */
export async function statusCommand(options: { config: string; json?: boolean }): Promise<number> {
  const { config, loaded, store, now } = await openProject(options.config, { offline: true });
  const peeked = await store.peek();
  const { data } = peeked;
  const { warning } = peeked;
  // The hosts sharing a cluster state (peek reads them with the cluster backend): their heartbeats and the leases, judged by the lease clock.
  const cluster = peeked.cluster;
  const shared = cluster ? hostsStatus(cluster, leaseNow(), config.state.host_ttl, config.state.max_clock_skew) : undefined;
  const ownRun = cluster?.hosts.find((h) => h.id === config.state.host_id)?.lastRun;
  const lastRun = data.lastRun ?? ownRun;
  const alertOf = new Map(loaded.alerts.map((a) => [a.name, a]));
  const asking = new Set(loaded.alerts.filter((a) => a.ask).map((a) => a.name));
  const alerts = Object.entries(data.alerts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, alert]) => ({
      name,
      window_end: iso(alert.window?.to),
      last_run: iso(alert.lastRunAt),
      last_error: alert.lastError ?? null,
      problems: problemsOf(alert),
      digests: digestsOf(alert),
      firing: Object.entries(alert.keys)
        .filter(([, key]) => isFiring(key))
        .map(([key, state]) => {
          const settings = alertOf.get(name);
          const throttle = settings ? currentThrottle(state, settings.throttle, settings.throttle_cap) : undefined;
          return {
            key,
            last_notified: iso(state.lastFired),
            times: state.fired,
            acknowledged: state.acknowledged ? { at: iso(state.acknowledged.at), by: state.acknowledged.by } : null,
            throttle: typeof throttle === 'number' ? formatDuration(throttle) : throttle ?? null,
            next_repeat: typeof throttle === 'number' && !state.acknowledged ? iso(state.lastFired! + throttle) : null,
          };
        }),
    }));
  const status = {
    last_run: lastRun
      ? { started: iso(lastRun.startedAt), took: formatDuration(lastRun.finishedAt - lastRun.startedAt), exit_code: lastRun.exitCode, last_success: iso(lastRun.lastSuccessAt) }
      : null,
    ...(shared ? { hosts: shared.hosts, leases: shared.leases } : {}),
    alerts,
    pending: data.pending.map((p) => ({
      alert: p.alert,
      key: p.key,
      channel: targetOf(p),
      since: iso(p.createdAt),
      attempts: p.attempts,
      next_attempt_after: p.notBefore && p.notBefore > now ? iso(p.notBefore) : null,
      last_error: p.lastError ?? null,
    })),
    silences: data.silences.filter((s) => isActive(s, now)),
    sources: data.sources,
    chats: data.chats ?? {},
    chat_actions: (data.chatLog ?? []).slice(-CHAT_LOG_SHOWN).map((e) => ({ ...e, at: iso(e.at) })),
    ...(data.conversations?.length ? { conversations: data.conversations.map(conversationStatus) } : {}),
    warning: [warning, lateSetAsideWarning(undefined)].filter(Boolean).join('; ') || null,
  };
  if (options.json) {
    printJson(status);
    return ExitCode.ok;
  }
  const lines: string[] = [];
  const run = status.last_run;
  // With hosts sharing a cluster state, each host's last run is on its line (once any host wrote its heartbeat).
  if (!shared?.hosts.length) lines.push(run ? `last run: ${run.started}, took ${run.took}, exit code ${run.exit_code}${run.last_success ? `; last success ${run.last_success}` : ''}` : 'last run: never');
  if (shared) lines.push(...hostsLines(shared, leaseNow(), config.state.host_ttl));
  for (const [name, source] of Object.entries(data.sources).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (source.failures) lines.push(`source ${name}: failing for ${source.failures} run(s) since ${iso(source.since)}: ${source.lastError}`);
  }
  for (const a of alerts) {
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
      lines.push(`  firing ${JSON.stringify(f.key)}: ${asking.has(a.name) ? 'asked about' : 'notified'} ${f.times} time(s), last ${f.last_notified}${ack}${next}`);
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
  console.log(lines.map((line) => cleanText(line).replaceAll('\n', ' ')).join('\n'));
  return ExitCode.ok;
}

/** An alert's open digests as status shows them: for which `per` value, how much they hold, since when and when they go. */
function digestsOf(alert: AlertState) {
  return (alert.digests ?? []).map((b) => ({
    per: b.group ?? null,
    from: iso(b.from)!,
    due: iso(b.due)!,
    findings: b.findings,
    rows: b.rows.length,
    omitted: b.omitted,
    keys: b.keys.length,
  }));
}

/** An alert's remembered problems (why it cannot fire), oldest first, as status shows them. */
function problemsOf(alert: AlertState) {
  return Object.keys(alert.problems ?? {})
    .flatMap((kind) => {
      const p = ownProblem(alert, kind);
      return p ? [{ kind, message: p.message, since: iso(p.since)!, last_seen: iso(p.lastSeen), told: iso(p.toldAt) }] : [];
    })
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
}

/** One conversation of an ask alert as status shows it: where it stands, why, and every step taken. */
function conversationStatus(c: import('../model/conversation.js').Conversation) {
  return {
    alert: c.alert,
    key: c.key,
    person: c.person,
    channel: c.channel,
    state: c.state,
    reason: (c.reason ? ownValue(ESCALATION_REASONS, c.reason) : undefined) ?? null,
    closed: isClosed(c),
    asked: iso(c.askedAt),
    deadline: iso(c.deadline),
    two_factor: c.twoFactor ? { username: c.twoFactor.username, result: c.twoFactor.result ?? null, pushed: iso(c.twoFactor.pushedAt) } : null,
    last_error: c.lastError ?? null,
    steps: c.history.map((h) => ({ at: iso(h.at), state: h.state, note: h.note })),
  };
}
