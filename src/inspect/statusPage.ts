import { escapeHtml } from '../render/html/escape.js';
import { htmlPage } from '../render/html/page.js';
import { COORDINATOR } from '../model/partition.js';
import { durationSince, formatDuration } from '../util/duration.js';
import { redact } from '../util/redact.js';
import { cleanText } from '../util/text.js';
import { leaseGroups, leasesInWords, type LeaseStatus } from './hostsStatus.js';
import { leaseNow } from '../util/clock.js';
import type { StatusView } from './statusView.js';

/** What the page says about where it comes from: the project (alertcron.yaml's folder), this host, and when it was written. */
export interface StatusPageMeta {
  project: string;
  generatedAt: number;
  /** With the cluster backend: this host's id (the run history shown is this host's), and state.host_ttl (a lease given back within it is between two runs). */
  host?: string;
  hostTtlMs?: number;
  /** What went wrong with the run that wrote the page (it failed, or could not use the state), shown above everything. */
  banner?: string;
  /** The most firing keys listed (the newest); the heading counts them all. */
  rowLimit?: number;
}

/** One cell of a table: text (escaped here), or markup already built from escaped parts. */
type Cell = string | number | boolean | null | undefined | { html: string };

/** Outside text made inert for the page: a secret alertcron knows of masked, invisible and control characters removed, then escaped. */
function text(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? '' : escapeHtml(cleanText(redact(String(value))));
}

/** A cell's markup. */
function cell(value: Cell): string {
  return typeof value === 'object' && value !== null ? value.html : text(value);
}

/** A time as the page shows it: UTC ISO, and how long ago (or from now) relative to when the page was written. */
function when(isoTime: string | null | undefined, now: number): Cell {
  if (!isoTime) return { html: '<span class="muted">never</span>' };
  const at = Date.parse(isoTime);
  const distance = Math.abs(now - at) < 1000 ? 'now' : at <= now ? `${formatDuration(now - at)} ago` : `in ${formatDuration(at - now)}`;
  return { html: `<time datetime="${text(isoTime)}">${text(isoTime)}</time> <span class="muted">(${text(distance)})</span>` };
}

/** A millisecond time as `when` shows it. */
function whenMs(ms: number | undefined, now: number): Cell {
  return when(ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString(), now);
}

/** One section: its heading, and a table with a row per item (in `<tbody>`), or the words for none. */
function section(id: string, title: string, headers: string[], rows: Cell[][], empty: string, note = '', total = rows.length): string {
  const more = total - rows.length;
  const body = rows.length
    ? `<table><thead><tr>${headers.map((h) => `<th>${text(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>${more > 0 ? `\n<p class="more">and ${more} more (the newest ${rows.length} are listed; <code>alertcron status --json</code> lists them all)</p>` : ''}`
    : `<p class="empty">${text(empty)}</p>`;
  return `<section id="${id}"><h2>${text(title)} <span class="muted count">(${total})</span></h2>${note ? `<p class="muted">${note}</p>` : ''}\n${body}</section>`;
}

/** A run's exit code with its meaning, marked when it is not 0. */
function exitCell(code: number): Cell {
  const words: Record<number, string> = { 0: 'ok', 1: 'internal error', 2: 'invalid configuration', 3: 'a source failed', 4: 'deliveries pending', 5: 'lock held', 6: 'cannot write' };
  return { html: `<span class="${code === 0 ? 'ok' : 'bad'}">${text(code)}</span> <span class="muted">${text(words[code] ?? '')}</span>` };
}

/** Several lines of text in one cell. */
function lines(items: string[]): Cell {
  return { html: items.map(text).join('<br>') };
}

/** A whole status page (no script: its CSP allows none) for a status as `statusView` builds it. */
export function renderStatusPage(status: StatusView, meta: StatusPageMeta): string {
  const now = meta.generatedAt;
  // Each alert's newest firing keys, the newest of them all listed (the view may hold only the newest of each alert).
  const firingAll = status.alerts.flatMap((a) => a.firing.map((f) => ({ alert: a.name, ...f })));
  const firingTotal = status.alerts.reduce((n, a) => n + (a.firing_total ?? a.firing.length), 0);
  const rowLimit = meta.rowLimit ?? Infinity;
  const firing = firingTotal > rowLimit ? firingAll.sort((a, b) => lastTime(b) - lastTime(a)).slice(0, rowLimit) : firingAll;
  const chats = Object.entries(status.chats).flatMap(([channel, c]) =>
    (['allowed', 'requested', 'banned'] as const).flatMap((list) => Object.values(c[list] ?? {}).map((e) => ({ channel, list, ...e }))),
  );
  const open = (status.conversations ?? []).filter((c) => !c.closed);
  const run = status.last_run;
  const sections = [
    section('runs', `Last runs${meta.host ? ` of ${meta.host}` : ''}`, ['started', 'took', 'exit code', 'alerts run / failed', 'deliveries ok / failed / pending', 'first error'],
      status.runs.map((r) => [when(r.started, now), r.took, exitCell(r.exit_code), `${r.alerts} / ${r.alerts_failed}`, `${r.delivered} / ${r.deliveries_failed} / ${r.pending}`, r.first_error]),
      'no run recorded yet (the history starts with the first run of this version)'),
    section('alerts', 'Alerts', ['alert', 'searched up to', 'last run', 'last error', 'cannot fire', 'open digests'],
      status.alerts.map((a) => [a.name, when(a.window_end, now), when(a.last_run, now), a.last_error, lines(a.problems.map((p) => `${p.kind}: ${p.message}`)), a.digests.length ? `${a.digests.length} (${a.digests.reduce((n, d) => n + d.findings, 0)} findings)` : '']),
      'no alert has run yet'),
    section('firing', 'Firing keys', ['alert', 'key', 'firing since', 'times notified', 'last notified', 'throttle', 'next repeat', 'acknowledged'],
      firing.map((f) => [f.alert, { html: `<code>${text(f.key)}</code>` }, firingSinceCell(f, now), f.times, when(f.last_notified, now), f.throttle, f.next_repeat ? when(f.next_repeat, now) : '', f.acknowledged ? `by ${f.acknowledged.by}` : '']),
      'nothing is firing', '', firingTotal),
    section('silences', 'Active silences', ['alert', 'what', 'by', 'comment', 'since', 'until'],
      status.silences.map((s) => [s.alert, s.key !== undefined ? { html: `key <code>${text(s.key)}</code>` } : s.match ? { html: `${text(s.match.field)} = <code>${text(s.match.value)}</code>` } : 'every key', s.author, s.comment, whenMs(s.createdAt, now), whenMs(s.endsAt, now)]),
      'no active silence'),
    section('acks', 'Acknowledged and handled keys', ['alert', 'key', 'what', 'by', 'when', 'how', 'still firing'],
      status.acks.map((a) => [a.alert, { html: `<code>${text(a.key)}</code>` }, a.kind, a.by, when(a.at, now), a.how, a.firing ? 'yes' : 'no']),
      'no key is acknowledged or handled', 'An acknowledgement lasts until the key stops matching.', status.acks_total ?? status.acks.length),
    section('pending', 'Pending deliveries', ['alert', 'key', 'to', 'why', 'since', 'attempts', 'not before', 'last error'],
      status.pending.map((p) => [p.alert, { html: `<code>${text(p.key)}</code>` }, p.channel, p.reason, when(p.since, now), p.attempts, p.next_attempt_after ? when(p.next_attempt_after, now) : '', p.last_error]),
      'nothing waits to be delivered'),
    section('chats', 'Chats of the bots', ['channel', 'list', 'chat id', 'title', 'kind', 'by', 'when'],
      chats.map((c) => [c.channel, c.list === 'requested' ? 'waiting' : c.list, c.id, c.title, c.kind, c.by, whenMs(c.at, now)]),
      'no bot channel has chats'),
    section('chat-actions', 'Recent chat actions', ['when', 'channel', 'chat', 'by', 'what', 'result'],
      [...status.chat_actions].reverse().map((e) => [when(e.at, now), e.channel, e.chat, e.by, { html: `<code>${text(e.what)}</code>` }, { html: `<span class="${e.ok ? 'ok' : 'bad'}">${e.ok ? 'done' : 'refused or failed'}</span>: ${text(e.result)}` }]),
      'no chat action yet'),
    section('conversations', 'Open conversations', ['alert', 'key', 'asking', 'on', 'state', 'second factor', 'answer due', 'last error'],
      open.map((c) => [c.alert, { html: `<code>${text(c.key)}</code>` }, c.person, c.channel, `${c.state}${c.reason ? ` (${c.reason})` : ''}`, c.two_factor ? `${c.two_factor.username}: ${c.two_factor.result ?? 'waiting'}` : '', when(c.deadline, now), c.last_error]),
      'no open conversation'),
    status.hosts
      ? section('hosts', 'Hosts sharing the cluster state', ['host', 'state', 'last heartbeat', 'version', 'last run', 'holds now', 'takeovers'],
          status.hosts.map((h) => [h.id, { html: h.live ? '<span class="ok">live</span>' : `<span class="bad">not live</span> ${text(h.not_live)}` }, when(h.last_heartbeat, now), h.version,
            h.last_run ? { html: `${cell(when(h.last_run.started, now))}, took ${text(h.last_run.took)}, exit code ${text(h.last_run.exit_code)}, ${text(h.last_run.evaluated)} alert(s)${runLeases(h.last_run)}` } : 'none recorded',
            leasesInWords(h.holds.partitions, h.holds.coordinator) || 'nothing',
            lines(h.takeovers.map((t) => `${t.at}: ${t.lease === COORDINATOR ? "the coordinator's lease" : `partition ${t.lease}`} from ${t.from}`))]),
          'no host has written a heartbeat yet',
          status.leases ? leasesNote(status.leases, leaseNow(), meta.hostTtlMs ?? 0) : '')
      : section('hosts', 'Hosts', [], [], 'one host: the state is a file (state.backend: file)'),
  ];
  // With hosts sharing a cluster state each host's last run is on its row (the state's last run is any host's).
  const summary = status.hosts?.length ? '' : run
    ? { html: `last run ${cell(when(run.started, now))}, took ${text(run.took)}, exit code ${cell(exitCell(run.exit_code))}${run.last_success ? `; last success ${cell(when(run.last_success, now))}` : ''}` }
    : 'no run yet';
  const body = [
    `<header><h1>alertcron status</h1><p>${text(meta.project)}${meta.host ? ` · host ${text(meta.host)}` : ''} · written ${cell(when(new Date(now).toISOString(), now))}</p>${summary ? `<p>${cell(summary)}</p>` : ''}${status.warning ? `<p class="bad">warning: ${text(status.warning)}</p>` : ''}${banner(meta)}</header>`,
    `<nav>${['runs', 'alerts', 'firing', 'silences', 'acks', 'pending', 'chats', 'chat-actions', 'conversations', 'hosts'].map((id) => `<a href="#${id}">${id}</a>`).join(' · ')}</nav>`,
    ...sections,
  ].join('\n');
  return htmlPage({ title: `alertcron status: ${cleanText(meta.project)}`, body, style: STYLE });
}

/** The banner of a run that failed, or nothing. */
function banner(meta: StatusPageMeta): string {
  return meta.banner ? `<p class="bad banner">${text(meta.banner)}</p>` : '';
}

/** When a firing key's episode began and for how long it has fired; a key of an older state shows its first sight, marked as such. */
function firingSinceCell(f: { firing_since: string | null; firing_since_from: 'episode' | 'first_seen' }, now: number): Cell {
  const since = f.firing_since ? `<time datetime="${text(f.firing_since)}">${text(f.firing_since)}</time> <span class="muted">(for ${text(durationSince(f.firing_since, now))})</span>` : '';
  const older = f.firing_since_from === 'first_seen' ? ' <span class="muted first-seen">first seen: state from an older version keeps no episode start</span>' : '';
  return { html: `<span class="firing-since">${since}${older}</span>` };
}

/** When a firing key was last notified (else first seen), epoch ms, for listing the newest first. */
function lastTime(f: { last_notified: string | null; first_seen: string | null }): number {
  return Date.parse(f.last_notified ?? f.first_seen ?? '') || 0;
}

/** The page written when the state cannot be read: where it comes from, the run's banner, and why nothing else is shown. */
export function unreadableStatusPage(meta: StatusPageMeta, reason: string): string {
  const now = meta.generatedAt;
  const body = `<header><h1>alertcron status</h1><p>${text(meta.project)}${meta.host ? ` · host ${text(meta.host)}` : ''} · written ${cell(when(new Date(now).toISOString(), now))}</p>${banner(meta)}<p class="bad">the state cannot be read: ${text(reason)}</p></header>`;
  return htmlPage({ title: `alertcron status: ${cleanText(meta.project)}`, body, style: STYLE });
}

/** The partitions a host's last run held, in words (", holding partitions 0-3"). */
function runLeases(run: { partitions: number[]; coordinator: boolean }): string {
  const words = leasesInWords(run.partitions, run.coordinator);
  return words ? `, holding ${text(words)}` : '';
}

/** The leases in one sentence: held now, given back between two runs, and the partitions waiting for a host. */
function leasesNote(leases: readonly LeaseStatus[], now: number, hostTtlMs: number): string {
  const { held, between, free } = leaseGroups(leases, now, hostTtlMs);
  const waiting = leasesInWords(free.filter((l) => l.name !== COORDINATOR).map((l) => Number(l.name)), free.some((l) => l.name === COORDINATOR));
  return text(`Leases: ${held.length} held now, ${between.length} given back by a run in the last ${formatDuration(hostTtlMs)}, ${free.length} waiting for a host${waiting ? ` (${waiting})` : ''}.`);
}

const STYLE = `h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 4px}
nav a{color:var(--line)}section{overflow-x:auto}
.ok{color:var(--sent)}.bad{color:var(--failed)}.empty{color:var(--muted);font-style:italic}
td code{overflow-wrap:anywhere}`;
