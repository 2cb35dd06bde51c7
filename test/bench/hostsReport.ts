// The multi-host section of docs/BENCHMARK.md (issue 28 point 5): the tables of test/bench/hosts.ts's results, the
// projection for 100,000 alerts on 4 hosts with its assumptions, the issue's target rows, and the splice that puts
// them into an existing report without touching the rest (bench.js --hosts-only).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PARTITIONS } from '../../src/model/partition.js';
import type { HostsCase, HostsResult, TakeoverResult } from './hosts.js';

/** The heading of the section; the splice replaces everything from it to the next `## ` heading. */
export const HOSTS_HEADING = '## Many hosts sharing the alerts (issue 28)';
/** Every target row of the scenario starts with this (the splice replaces those rows in the Targets table). */
export const HOSTS_ROW_PREFIX = '| issue 28: ';

const int = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const sec = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x < 10 ? `${x.toFixed(2)} s` : `${x.toFixed(1)} s`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**');

/** A straight line through two points (x, y): y = a + b·x. */
function line(x1: number, y1: number, x2: number, y2: number): { a: number; b: number } {
  const b = x2 === x1 ? 0 : (y2 - y1) / (x2 - x1);
  return { a: y1 - b * x1, b };
}

const allCases = (h: HostsResult) => [...h.cases, ...h.scale, ...(h.target ? [h.target] : [])];

/** The largest number of hosts measured at the scenario's main alert count. */
const mostHosts = (h: HostsResult) => Math.max(0, ...h.cases.map((c) => c.hosts));

/** The cases of the most hosts, one per alert count measured (ascending): state writes against alerts. */
function writesByAlerts(h: HostsResult): HostsCase[] {
  const most = mostHosts(h);
  const byAlerts = new Map<number, HostsCase>();
  for (const c of allCases(h)) if (c.hosts === most && !byAlerts.has(c.alerts)) byAlerts.set(c.alerts, c);
  return [...byAlerts.values()].sort((x, y) => x.alerts - y.alerts);
}

/**
 * Kinds of state documents written once per alert or per notice (the ones that could make writes grow with alerts);
 * every other kind (`part:` leases with the windows, `host:` heartbeats, `op:`, `meta:`...) is written per partition,
 * per host or per run.
 */
export const PER_ALERT_KINDS = ['alert', 'pending', 'claim', 'sent', 'ask'] as const;

const isPerAlert = (kind: string) => (PER_ALERT_KINDS as readonly string[]).includes(kind.replace(/ delete$/, ''));

/** Documents a minute of the per-alert kinds and of the others (undefined: not counted by kind). */
export function writesSplit(c: HostsCase): { perAlert: number; other: number } | undefined {
  const k = c.perMinute.docsByKind;
  if (!k) return undefined;
  let perAlert = 0;
  let other = 0;
  for (const [kind, n] of Object.entries(k)) if (isPerAlert(kind)) perAlert += n;
  else other += n;
  return { perAlert, other };
}

/**
 * The rule of the writes target, from the documents by kind at the smallest and largest alert count of the same
 * hosts (the bench's measured minutes are quiet: nothing matches, so no finding changes an alert's state): met when
 * the per-alert kinds grow by at most 2 documents + 1 per 10,000 alerts added; the other kinds are written per
 * partition and host (a renewal round every partition_lease/3 of a run adds one write per held lease: they follow
 * run time, not the alert count, and are shown, not judged). Undefined when not measured at two counts by kind.
 */
export function writesVerdict(h: HostsResult): boolean | undefined {
  const w = writesByAlerts(h);
  if (w.length < 2) return undefined;
  const lo = writesSplit(w[0]!);
  const hi = writesSplit(w[w.length - 1]!);
  if (!lo || !hi) return undefined;
  return hi.perAlert - lo.perAlert <= 2 + (w[w.length - 1]!.alerts - w[0]!.alerts) / 10_000;
}

const kindList = (k: Record<string, number>) => Object.entries(k).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([kind, n]) => `${kind}: ${int(n)}`).join(', ');

/** What the writes row of Targets says was measured: documents a minute by kind at each alert count, and the rule. */
function writesMeasured(h: HostsResult): string {
  const w = writesByAlerts(h);
  if (w.length < 2) return 'not measured at two alert counts';
  const counts = w.map((c) => `${int(c.alerts)} alerts: ${int(c.perMinute.docsWritten)} documents a minute${c.perMinute.docsByKind ? ` (${kindList(c.perMinute.docsByKind)})` : ''}`).join('; ');
  const lo = writesSplit(w[0]!);
  const hi = writesSplit(w[w.length - 1]!);
  if (!lo || !hi) return `${w[0]!.hosts} hosts: ${counts}; not counted by kind, not judged`;
  return (
    `${w[0]!.hosts} hosts, quiet minutes: ${counts}. Per-alert kinds (${PER_ALERT_KINDS.join(', ')}) ${int(lo.perAlert)} → ${int(hi.perAlert)}, the others (per partition and host) ${int(lo.other)} → ${int(hi.other)}. ` +
    `Rule: met when the per-alert kinds grow by at most 2 + 1 per 10,000 alerts added (here ${int(2 + (w[w.length - 1]!.alerts - w[0]!.alerts) / 10_000)})`
  );
}

/** The rows of the Targets table (each starts with HOSTS_ROW_PREFIX). */
export function hostsTargetRows(h: HostsResult | undefined): string[] {
  if (!h) return [];
  const rows: string[] = [];
  const t = h.target;
  if (t) {
    const slowest = Math.max(...t.perHost.map((p) => p.wall_s));
    const worst = Math.max(...t.perHost.map((p) => p.wall_max_s));
    rows.push(`${HOSTS_ROW_PREFIX}${t.hosts} hosts × ${int(t.alerts)} alerts each minute on this machine, every host's run under 10 s | slowest host's median run ${sec(slowest)} (slowest single run ${sec(worst)}); ${int(t.perMinute.evaluated)} alerts evaluated a minute | ${verdict(worst < 10 && t.perMinute.evaluated === t.alerts)} |`);
  } else rows.push(`${HOSTS_ROW_PREFIX}4 hosts × 40,000 alerts each minute, every host's run under 10 s | ${h.targetSkipped ?? 'not measured'} (see the projection in "${HOSTS_HEADING.slice(3)}") | not measured |`);
  rows.push(`${HOSTS_ROW_PREFIX}state writes per minute grow with partitions and hosts, not with alerts | ${writesMeasured(h)} | ${verdict(writesVerdict(h))} |`);
  const d = h.takeovers.find((x) => x.label === 'defaults') ?? h.takeovers[0];
  if (d)
    rows.push(
      `${HOSTS_ROW_PREFIX}a host killed mid-run: its partitions taken over within two minutes (partition_lease ${d.settings.partition_lease}, host_ttl ${d.settings.host_ttl}, runs every ${d.periodS} s) | ${d.takeoverS === undefined ? (d.note ?? `not within ${d.waitedS} s`) : `${sec(d.takeoverS)} after the SIGKILL`} | ${d.takeoverS === undefined ? verdict(d.note ? undefined : false) : verdict(d.takeoverS <= 120)}${d.periodS < 60 ? ' (short settings, not the defaults)' : ''} |`,
    );
  return rows;
}

function caseTables(h: HostsResult): string[] {
  const L: string[] = [
    '| hosts × alerts | host | run (median; slowest) | CPU | peak RSS | requests | time with a request in flight | state requests | state write requests | state documents written (report / at the proxy) | alerts evaluated | leases held |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of allCases(h))
    for (const p of c.perHost)
      L.push(
        `| ${c.hosts} × ${int(c.alerts)} | ${p.host} | ${sec(p.wall_s)} (${sec(p.wall_max_s)}) | ${sec(p.cpu_s)} | ${int(p.rss_mb)} MB | ${int(p.requests)} | ${sec(p.busyMs / 1000)} | ${int(p.stateRequests)} | ${int(p.stateWrites)} | ${int(p.stateDocs)} / ${int(p.docsWritten)} | ${int(p.evaluated)} | ${p.held === undefined ? '–' : int(p.held)} |`,
      );
  L.push(
    '',
    'Per minute, all hosts together (medians over the measured minutes of the sums over the hosts):',
    '',
    '| hosts × alerts | minutes measured (warm-up) | load average before | requests | state requests | state write requests | state documents written (report / at the proxy) | alerts evaluated | evaluated twice / by none (per minute) | slowest host\'s run |',
    '|---|---:|---|---:|---:|---:|---:|---:|---|---:|',
  );
  for (const c of allCases(h))
    L.push(
      `| ${c.hosts} × ${int(c.alerts)} | ${c.minutes} (${c.warmup}) | ${c.loadAvg.join(', ')} | ${int(c.perMinute.requests)} | ${int(c.perMinute.stateRequests)} | ${int(c.perMinute.stateWrites)} | ${int(c.perMinute.stateDocs)} / ${int(c.perMinute.docsWritten)} | ${int(c.perMinute.evaluated)} | ${c.twice.join(',')} / ${c.missed.join(',')} | ${sec(c.perMinute.slowest_s)} |`,
    );
  const first = h.cases.find((c) => c.hosts === mostHosts(h))?.perHost[0];
  if (first) L.push('', `Requests by kind, ${first.host} of the ${mostHosts(h)} hosts (last measured minute): ${Object.entries(first.byKind).sort((a, b) => b[1] - a[1]).map(([k, v]) => `\`${k}\` ${v}`).join(', ') || 'none'}.`);
  L.push('');
  return L;
}

function takeoverTable(list: TakeoverResult[]): string[] {
  if (!list.length) return ['Takeover: not measured in this run.', ''];
  const L = [
    '| case | settings | hosts × alerts | killed | leases it held | takeover (kill → every one of them held by another host) | taken by | the survivors\' runs after the kill (s after it: leases taken over) |',
    '|---|---|---|---|---:|---:|---|---|',
  ];
  for (const t of list)
    L.push(
      `| ${t.label} | partition_lease ${t.settings.partition_lease}, host_ttl ${t.settings.host_ttl}, max_clock_skew ${t.settings.max_clock_skew}; runs every ${t.periodS} s | ${t.hosts} × ${int(t.alerts)} | ${t.victim ? `${t.victim}, ${sec(t.killedAfterS)} into its run` : '–'} | ${t.leases ? `${t.leases.length} (${t.leases.join(', ')})` : '–'} | ${t.takeoverS === undefined ? (t.note ?? `not within ${t.waitedS} s`) : `**${sec(t.takeoverS)}**`} | ${t.takenBy ? Object.entries(t.takenBy).map(([k, v]) => `${k} ${v}`).join(', ') : '–'} | ${t.ticks.map((x) => `${x.atS.toFixed(1)}: ${x.took}${x.codes.some((c) => c !== 0) ? ` (exit ${x.codes.join('/')})` : ''}`).join('; ') || '–'} |`,
    );
  L.push('');
  return L;
}

/** The projection for 100,000 alerts on 4 hosts, each number with where it comes from. */
function projection(h: HostsResult): string[] {
  const N = 100_000;
  const H = 4;
  const per = N / H;
  const L = ['### Projection: 100,000 alerts on 4 hosts', ''];
  const one = [...h.scale, ...h.cases].filter((c) => c.hosts === 1).sort((a, b) => a.alerts - b.alerts);
  if (one.length < 2) return [...L, 'Not projected: one host was not measured at two alert counts (`--hosts 1,...` and `--hosts-scale`).', ''];
  const lo = one[0]!;
  const hi = one[one.length - 1]!;
  const wall = line(lo.alerts, lo.perHost[0]!.wall_s, hi.alerts, hi.perHost[0]!.wall_s);
  const cpu = line(lo.alerts, lo.perHost[0]!.cpu_s, hi.alerts, hi.perHost[0]!.cpu_s);
  const busy = line(lo.alerts, lo.perHost[0]!.busyMs / 1000, hi.alerts, hi.perHost[0]!.busyMs / 1000);
  L.push(
    `**Per-alert costs, measured** with one host alone (nothing else of the scenario running) at ${int(lo.alerts)} and ${int(hi.alerts)} alerts, a straight line through the two: ` +
      `run time ${sec(wall.a)} + ${(wall.b * 1e6).toFixed(0)} µs per alert; CPU ${sec(cpu.a)} + ${(cpu.b * 1e6).toFixed(0)} µs per alert; time with a cluster request in flight ${sec(busy.a)} + ${(busy.b * 1e6).toFixed(0)} µs per alert.`,
    '',
    `- **4 hosts on 4 machines** (each host alone on its machine, sharing one cluster): each holds about ${int(per)} alerts (${PARTITIONS} partitions, ${PARTITIONS / H} each on average; the hash spreads alerts over partitions about evenly). ` +
      `Projected run per host: ${sec(wall.a)} + ${int(per)} × ${(wall.b * 1e6).toFixed(0)} µs = **${sec(wall.a + wall.b * per)}**, CPU ${sec(cpu.a + cpu.b * per)}.`,
  );
  const four = h.cases.find((c) => c.hosts === H && c.alerts !== h.target?.alerts);
  const t = h.target;
  if (four && t && t.hosts === H) {
    const slow = line(four.alerts / H, Math.max(...four.perHost.map((p) => p.wall_s)), t.alerts / H, Math.max(...t.perHost.map((p) => p.wall_s)));
    L.push(
      `- **4 hosts on this one 2-core machine** (as measured: the 4 runs share 2 cores with the engine): the slowest host's median run went from ${sec(Math.max(...four.perHost.map((p) => p.wall_s)))} at ${int(four.alerts)} alerts to ${sec(Math.max(...t.perHost.map((p) => p.wall_s)))} at ${int(t.alerts)}; ` +
        `on that line, ${int(N)} alerts (${int(per)} a host) take **${sec(slow.a + slow.b * per)}** per host: the machine's 2 cores, not the design, are the limit there.`,
    );
  }
  const w = writesByAlerts(h);
  if (w.length >= 2) {
    const a = w[w.length - 2]!;
    const b = w[w.length - 1]!;
    const reqs = line(a.alerts, a.perMinute.stateRequests, b.alerts, b.perMinute.stateRequests);
    const sa = writesSplit(a);
    const sb = writesSplit(b);
    const head = `- **State writes**: ${b.hosts} hosts wrote ${w.map((c) => `${int(c.perMinute.docsWritten)} documents a minute at ${int(c.alerts)} alerts${c.perMinute.docsByKind ? ` (${kindList(c.perMinute.docsByKind)})` : ''}`).join(', ')}. `;
    const what =
      'What scales with partitions and hosts: one `part:<p>` lease document per held partition (taken, renewed every partition_lease/3 of a run, written with the windows when it has alerts, released), ' +
      'one `host:` heartbeat per host (twice a run); with alerts: only `alert:` documents whose keys, rule state or digests changed, and the notices (`pending:`, `claim:`, `sent:`) of a minute with findings.';
    if (sa && sb) {
      const per = line(a.alerts, sa.perAlert, b.alerts, sb.perAlert);
      L.push(
        head +
          `Split by kind: the per-partition and per-host kinds ${int(sa.other)} → ${int(sb.other)} (they follow held leases and run time: kept at ${int(sb.other)} for the projection), the per-alert kinds ${int(sa.perAlert)} → ${int(sb.perAlert)} (${per.b >= 0 ? '+' : ''}${(per.b * 1000).toFixed(2)} per 1,000 alerts on the line through the two largest); ` +
          `${int(N)} alerts: about **${int(sb.other + Math.max(0, per.a + per.b * N))} documents a minute** in a quiet minute, in about ${int(reqs.a + reqs.b * N)} state requests. ${what}`,
      );
    } else {
      const docs = line(a.alerts, a.perMinute.docsWritten, b.alerts, b.perMinute.docsWritten);
      L.push(head + `Not counted by kind; on the line through the two largest, ${int(N)} alerts write **${int(docs.a + docs.b * N)} documents a minute** in about ${int(reqs.a + reqs.b * N)} state requests. ${what}`);
    }
  }
  L.push(
    `- **The engine**: the searches scale with alerts (one fused search per 100 alerts of a window, \`fuse_alerts: 100\`): ${int(N)} alerts are ${int(N / 100)} fused searches a minute over all hosts, ` +
      `${sec(busy.b * N)} of request time on this machine's engine if the per-alert time above holds (it was measured with one host; 4 hosts send theirs at the same time).`,
    '',
    '**Assumptions.** The per-alert costs are those of the bench alerts (three kinds over one busy day, nothing matching: a quiet minute) and grow linearly; a host\'s fixed cost (node start, loading the parse cache, heartbeat, lease take and release, state read) does not depend on how many hosts there are; ' +
      'each host reads the `alert:` documents of its own partitions only (about alerts ÷ hosts a minute: this read grows with alerts; the writes grow only by the `alert:` documents that the findings of the minute changed, none in these quiet minutes, and by the daily stamps of the time field proven by hits: each alert with events in its window rewrites its `alert:` document once in half a day, about alerts ÷ 720 a minute spread out, which the few minutes of the bench do not show); the partitions spread the alerts evenly (64 partitions: ±~15% per host at 4 hosts); ' +
      'an incident minute adds the notices\' documents and deliveries on top, as with one host. Not measured here: 100,000 alert files on one machine (the bench data has 10,000 servers; alerts beyond repeat them).',
    '',
  );
  return L;
}

/** The scenario's section of the report (empty when it was not measured). */
export function hostsSection(h: HostsResult | undefined): string[] {
  if (!h) return [];
  return [
    HOSTS_HEADING,
    '',
    `Measured ${h.startedAt.slice(0, 16).replace('T', ' ')} UTC on alertcron commit ${h.alertcronCommit} by \`${h.command}\` (\`test/bench/hosts.ts\`). ` +
      'Each host is a deployment folder of its own on this machine (its own `alertcron.yaml` with `state.backend: cluster`, one shared `state.index`, its own `host_id` and `local_file`), ' +
      'the same alerts folder (symlinked), the bench alerts over the busy day. The hosts\' runs of one minute start together (`ALERTCRON_NOW` one minute later each time, ending at the quiet minute), ' +
      'each host through a counting proxy of its own; the first minutes are a warm-up (the hosts find each other and settle their partitions; the parse cache is filled). ' +
      '"state requests", "state write requests" and the first "state documents written" are what each run reports (`run --json`, `stateRequests`: up to the report; the release of its leases and its closing heartbeat come after it); the second "documents written" is what its proxy saw written (each `_bulk` action and single-document write, the release included), the number the targets and the projection use; "alerts evaluated" the alerts of its report that were not "not-due"; "leases held" its `partitions.held`.',
    '',
    '**Noise.** This machine has 2 cores for the engine and all hosts; numbers taken while others ran tests on it are noisy (compare within a table, not across reports). Re-run this section alone on a quiet machine with the command above; it rewrites only this section and its rows in Targets.',
    '',
    ...caseTables(h),
    '### Takeover after a SIGKILL',
    '',
    'The last host is killed (SIGKILL) in the middle of a run started together with the others, once the lease documents show it as holder; the others go on running every period (cron: 60 s). ' +
      'Takeover = wall time from the kill until every lease it held shows a higher fencing token and another host as holder (the lease documents polled every 250 ms).',
    '',
    ...takeoverTable(h.takeovers),
    ...projection(h),
    '**Checks (this section).**',
    '',
    ...h.checks.map((c) => `- ${c}`),
    '',
  ];
}

/**
 * Puts the section and its target rows into an existing report (or a new file): the old section and rows are
 * replaced, everything else is kept byte for byte.
 */
export function spliceHostsReport(file: string, h: HostsResult): void {
  spliceHostsLines(file, hostsSection(h), hostsTargetRows(h));
}

/** What a note says the section came from when a bench run did not measure it and kept an earlier run's. */
export const CARRIED_NOTE = '_Not measured by the bench run that wrote the rest of this report (`--no-hosts`): this section and its target rows are carried over from the earlier run named below (its commit and command)._';

/**
 * Carries the hosts' section and target rows of `previous` (the report as it was before this bench run) into the
 * report just written to `file`, marked as carried over; returns false (and leaves the file) when `previous` had none.
 */
export function carryHostsReport(file: string, previous: string): boolean {
  const lines = previous.split('\n');
  const start = lines.indexOf(HOSTS_HEADING);
  if (start < 0) return false;
  const next = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const section = lines.slice(start, next < 0 ? lines.length : next).filter((l) => l !== CARRIED_NOTE);
  // The note goes right under the heading, once, however many runs carried the section on.
  const blank = section[1] === '' ? 2 : 1;
  section.splice(blank, 0, CARRIED_NOTE, '');
  spliceHostsLines(file, section, lines.filter((l) => l.startsWith(HOSTS_ROW_PREFIX)));
  return true;
}

/** Replaces the hosts' section and target rows of the report in `file` with these lines. */
function spliceHostsLines(file: string, section: string[], rows: string[]): void {
  const old = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : ['# Benchmark', '', '## Targets', '', '| target | measured | verdict |', '|---|---|---|', ''];
  const lines = old.filter((l) => !l.startsWith(HOSTS_ROW_PREFIX));
  const start = lines.indexOf(HOSTS_HEADING);
  if (start >= 0) {
    const next = lines.findIndex((l, i) => i > start && l.startsWith('## '));
    lines.splice(start, (next < 0 ? lines.length : next) - start);
  }
  const before = ["## Where alertcron's time goes", '## How it is measured'].map((x) => lines.indexOf(x)).find((i) => i >= 0);
  lines.splice(before ?? lines.length, 0, ...section);
  const targets = lines.indexOf('## Targets');
  if (targets >= 0) {
    let end = lines.findIndex((l, i) => i > targets + 1 && l.startsWith('|'));
    while (end >= 0 && lines[end]?.startsWith('|')) end++;
    if (end > 0) lines.splice(end, 0, ...rows);
  }
  writeFileSync(file, lines.join('\n'));
}
