// Writes docs/BENCHMARK.md from the bench's results.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { COUNT_THRESHOLD, SPRAY_USERS, USERS, WORKSTATIONS, SERVERS, BACKGROUND_EVENTS } from './data.js';
import type { DigestResult } from './digest.js';
import type { HostsResult } from './hosts.js';
import { hostsSection, hostsTargetRows } from './hostsReport.js';
import type { PagingResult } from './paging.js';
import type { SigmaBenchResult } from './sigma.js';
import type { ProfileSummary } from './profile.js';
import type { Summary } from './run.js';
import type { StateGrowthResult } from './stateGrowth.js';
import type { BigResult } from './big.js';
import { int, mb, range, ratio, reqs, sec } from './format.js';
import { issue29Sections, issue29TargetRows, PRIMED_KEYS_NOTE, stagesSection } from './issue29Report.js';
import type { StageSummary } from './stagesReport.js';
import type { FiringKeysResult, ReceiptsResult } from './stateRows.js';

export interface SizeResult {
  n: number;
  /** Alerts that match in the incident minute; undefined for the mix (its notices are not worked out in advance). */
  expectedMatches?: number;
  runs: number;
  eaRuns: number;
  /** 1, 5 and 15 minute load averages just before this size was measured. */
  loadAvg?: number[];
  project?: string;
  validate?: Summary;
  validateCold?: Summary;
  acQuietCold?: Summary;
  /** Nothing matching with query fusion off, and the fused run measured alternately with it. */
  acQuietUnfused?: Summary;
  acQuietFusedPaired?: Summary;
  /** Fusion off with `msearch_concurrency: 2`, alternating with the two above. */
  acQuietUnfusedC2?: Summary;
  /** Fusion on, the fused searches in two `_msearch` requests sent together (`msearch_concurrency: 2`). */
  acQuietFusedC2?: Summary;
  acQuiet?: Summary;
  acIncident?: Summary;
  eaQuiet?: Summary;
  eaIncident?: Summary;
  /** alertcron's stages (`run --json`) in the steady-state minutes and the first run without the parse cache. */
  stages?: { quiet?: StageSummary; incident?: StageSummary; quietCold?: StageSummary };
}

/** One state backend measured at one size and scenario. */
export interface BackendResult {
  n: number;
  backend: 'file' | 'cluster';
  scenario: 'quiet' | 'incident';
  wall: Summary;
  /** All cluster requests of the run (searches and state), seen at the proxy. */
  clusterRequests: number;
  /** The state store's own requests and writes, as the run reported them (file: writes = state rewrites + journal syncs). */
  stateRequests: number;
  stateWrites: number;
  /** Documents the cluster backend wrote (each `_bulk` action); undefined for the file. */
  stateDocs?: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  /** Why the bench stopped early, if it did. */
  error?: string;
  options: { sizes: number[]; runs: number; eaRuns?: number; port?: number };
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; loadAvgAtStart?: number[] };
  versions: { node: string; alertcronCommit: string; alertcronDirty: boolean; opensearch: string; elastalert2?: string; elasticsearchPy?: string; python?: string };
  data: { index: string; docs: number; sizeBytes: number; seededNow: boolean; seedSeconds: number; quietWindowDocs: number; incidentWindowDocs: number; quietNow: string; incidentNow: string };
  floor: { nodeNothing?: Summary; nodeMsearch?: Summary; pythonNothing?: Summary };
  sizes: SizeResult[];
  /** The mix of the ElastAlert2 rule types (frequency, flatline, spike ...), measured like a size. */
  mix?: SizeResult;
  /** The incident minute with a digest channel beside email and Slack, and the run that sends the digests. */
  digest?: DigestResult;
  /** The incident minute with PagerDuty and Teams beside email and Slack (alertcron only). */
  paging?: PagingResult;
  /** N Sigma alerts compiled and run on a cold and a warm parse cache, and the cost of case-insensitive wildcards. */
  sigma?: SigmaBenchResult;
  checks: string[];
  stateGrowth?: StateGrowthResult;
  /** The file and the cluster state backend side by side (issue 16): per size and scenario, medians. */
  backends?: BackendResult[];
  /** Many hosts sharing the alerts through the cluster state (issue 28): test/bench/hosts.ts. */
  hosts?: HostsResult;
  /** Issue 29: a quiet run with a week of receipts against none; one alert firing with many keys against none; 100,000 alerts on one host. */
  receipts?: ReceiptsResult & { loadAvg?: number[] };
  firingKeys?: FiringKeysResult & { loadAvg?: number[] };
  big?: BigResult;
  profiles?: { n: number; scenario: 'quiet' | 'incident'; wall_s: number; clusterMs: number; requests: number; delivered: number; summary: ProfileSummary }[];
}

const kinds = (s: Summary | undefined) =>
  s
    ? Object.entries(s.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `\`${k}\` ${int(v)}`)
        .join(', ') || 'none'
    : '–';

/** How a configuration with two requests in flight compares with one, on the medians' wall times. */
function verdict(one: number, two: number): string {
  const change = (two - one) / one;
  return Math.abs(change) < 0.05 ? 'no difference (within 5%)' : change < 0 ? `${ratio(one, two)} faster with two` : `${ratio(two, one)} slower with two`;
}

function sizeTable(r: SizeResult): string[] {
  const L: string[] = [];
  L.push(`### N = ${int(r.n)} alerts (${int(r.expectedMatches ?? 0)} of them match in the incident minute)`, '');
  L.push(`Medians of ${r.runs} runs for alertcron${r.eaQuiet ? ` and ${r.eaRuns} for ElastAlert2` : ''}; wall times show (min–max). Load average before (includes the bench's own previous runs): ${r.loadAvg?.join(', ') ?? '?'}.`, '');
  L.push('| | alertcron | ElastAlert2 | ElastAlert2 / alertcron |', '|---|---:|---:|---:|');
  for (const [label, ac, ea] of [
    ['nothing matching', r.acQuiet, r.eaQuiet],
    ['10% matching, delivering', r.acIncident, r.eaIncident],
  ] as const) {
    L.push(`| **run, ${label}**: wall | ${range(ac)} | ${range(ea)} | ${ratio(ea?.wall_s, ac?.wall_s)} |`);
    L.push(`| run, ${label}: peak RSS | ${mb(ac?.rss_mb)} | ${mb(ea?.rss_mb)} | ${ratio(ea?.rss_mb, ac?.rss_mb)} |`);
    L.push(`| run, ${label}: CPU time (user + sys) | ${sec(ac?.cpu_s)} | ${sec(ea?.cpu_s)} | ${ratio(ea?.cpu_s, ac?.cpu_s)} |`);
    L.push(`| run, ${label}: HTTP requests to the cluster | ${reqs(ac)} | ${reqs(ea)} | ${ratio(ea?.requests, ac?.requests)} |`);
    L.push(`| run, ${label}: TCP connections to the cluster | ${ac ? int(ac.connections) : '–'} | ${ea ? int(ea.connections) : '–'} | |`);
    L.push(`| run, ${label}: time with a cluster request in flight (at the proxy) | ${ac ? sec(ac.clusterMs / 1000) : '–'} | ${ea ? sec(ea.clusterMs / 1000) : '–'} | |`);
    if (label !== 'nothing matching') {
      L.push(`| run, ${label}: notifications received by the sinks (expected ${int(r.expectedMatches ?? 0)}) | ${ac?.delivered ?? '–'} | ${ea?.delivered ?? '–'} | |`);
    }
  }
  if (r.eaQuiet?.extra) {
    const q = r.eaQuiet.extra;
    const i = r.eaIncident?.extra ?? {};
    L.push(
      `| ElastAlert2 inside its process: import / load ${int(r.n)} rules / one cycle (nothing matching) | | ${sec(q.import_s)} / ${sec(q.load_s)} / ${sec(q.cycle_s)} | |`,
      `| ElastAlert2 one cycle only (10% matching), what a running daemon pays per minute | | ${sec(i.cycle_s)} | ${ratio(i.cycle_s, r.acIncident?.wall_s)} of alertcron's whole run |`,
    );
  }
  if (r.acQuietUnfused && r.acQuietFusedPaired) {
    const off = r.acQuietUnfused;
    const on = r.acQuietFusedPaired;
    L.push(`| run, nothing matching, **query fusion off / on** (alternating runs): wall | ${range(off)} / ${range(on)} | | ${ratio(off.wall_s, on.wall_s)} faster with fusion |`);
    L.push(`| run, nothing matching, fusion off / on: HTTP requests / time with a cluster request in flight | ${reqs(off)} / ${reqs(on)}; ${sec(off.clusterMs / 1000)} / ${sec(on.clusterMs / 1000)} | | |`);
    L.push(`| run, nothing matching, fusion off / on: CPU time / peak RSS | ${sec(off.cpu_s)} / ${sec(on.cpu_s)}; ${mb(off.rss_mb)} / ${mb(on.rss_mb)} | | |`);
    const offC2 = r.acQuietUnfusedC2;
    const onC2 = r.acQuietFusedC2;
    if (offC2 && onC2) {
      L.push(`| run, nothing matching, fusion off, **\`msearch_concurrency\` 1 / 2** (${reqs(off)} / ${reqs(offC2)} requests): wall; time with a cluster request in flight | ${range(off)} / ${range(offC2)}; ${sec(off.clusterMs / 1000)} / ${sec(offC2.clusterMs / 1000)} | | ${verdict(off.wall_s, offC2.wall_s)} |`);
      L.push(`| run, nothing matching, fusion on, one request / **two requests in flight** (${reqs(on)} / ${reqs(onC2)} requests): wall; time with a cluster request in flight | ${range(on)} / ${range(onC2)}; ${sec(on.clusterMs / 1000)} / ${sec(onC2.clusterMs / 1000)} | | ${verdict(on.wall_s, onC2.wall_s)} |`);
    }
  }
  L.push(`| run, nothing matching, **without the parse cache** (first run after the alert files changed): wall | ${range(r.acQuietCold)} | | |`);
  L.push(`| run, nothing matching, without the parse cache: peak RSS | ${mb(r.acQuietCold?.rss_mb)} | | |`);
  L.push(`| \`alertcron validate\` without / with the parse cache: wall | ${sec(r.validateCold?.wall_s)} / ${sec(r.validate?.wall_s)} | | |`);
  L.push(`| \`alertcron validate\` without / with the parse cache: peak RSS | ${mb(r.validateCold?.rss_mb)} / ${mb(r.validate?.rss_mb)} | | |`, '');
  L.push(`Requests by kind (last run): alertcron nothing matching: ${kinds(r.acQuiet)}; 10% matching: ${kinds(r.acIncident)}.`);
  if (r.eaQuiet) L.push(`ElastAlert2 nothing matching: ${kinds(r.eaQuiet)}; 10% matching: ${kinds(r.eaIncident)}.`);
  L.push('');
  return L;
}

/** The mix of the ElastAlert2 rule types beside today's kinds at the same N (when measured). */
function mixSection(res: BenchResults): string[] {
  const m = res.mix;
  if (!m) return [];
  const k = res.sizes.find((s) => s.n === m.n);
  const L: string[] = [
    `### N = ${int(m.n)} alerts of the ElastAlert2 rule types (the mix), beside today's kinds`,
    '',
    `One alert per server again, its type by i mod 10: frequency, flatline, spike, new_term, cardinality, change, percentage_match, metric_aggregation, blacklist, whitelist (\`test/bench/alerts.ts\`). ` +
      "Their notices are not worked out in advance: the check is that every run of a scenario delivers the same number. ElastAlert2 runs the same rules, one cycle in a fresh process, " +
      "so its in-memory types (flatline, spike, cardinality's min, change, new_term's history) start empty there, while alertcron reads what they need from the index and its state. " +
      `Medians of ${m.runs} runs${m.eaQuiet ? ` (ElastAlert2 ${m.eaRuns})` : ''}; load average before: ${m.loadAvg?.join(', ') ?? '?'}.`,
    '',
    `| | today's kinds, alertcron | the mix, alertcron | the mix, ElastAlert2 | ElastAlert2 / alertcron (mix) |`,
    '|---|---:|---:|---:|---:|',
  ];
  for (const [label, today, ac, ea] of [
    ['nothing matching', k?.acQuiet, m.acQuiet, m.eaQuiet],
    ['incident minute', k?.acIncident, m.acIncident, m.eaIncident],
  ] as const) {
    L.push(`| **run, ${label}**: wall | ${range(today)} | ${range(ac)} | ${range(ea)} | ${ratio(ea?.wall_s, ac?.wall_s)} |`);
    L.push(`| run, ${label}: peak RSS | ${mb(today?.rss_mb)} | ${mb(ac?.rss_mb)} | ${mb(ea?.rss_mb)} | ${ratio(ea?.rss_mb, ac?.rss_mb)} |`);
    L.push(`| run, ${label}: CPU time (user + sys) | ${sec(today?.cpu_s)} | ${sec(ac?.cpu_s)} | ${sec(ea?.cpu_s)} | ${ratio(ea?.cpu_s, ac?.cpu_s)} |`);
    L.push(`| run, ${label}: HTTP requests to the cluster | ${reqs(today)} | ${reqs(ac)} | ${reqs(ea)} | ${ratio(ea?.requests, ac?.requests)} |`);
    L.push(`| run, ${label}: time with a cluster request in flight | ${today ? sec(today.clusterMs / 1000) : '–'} | ${ac ? sec(ac.clusterMs / 1000) : '–'} | ${ea ? sec(ea.clusterMs / 1000) : '–'} | |`);
    L.push(`| run, ${label}: notifications received by the sinks | ${today?.delivered ?? '–'} | ${ac?.delivered ?? '–'} | ${ea?.delivered ?? '–'} | |`);
  }
  L.push(`| run, nothing matching, without the parse cache: wall | ${range(k?.acQuietCold)} | ${range(m.acQuietCold)} | | |`);
  L.push(`| \`alertcron validate\` without / with the parse cache: wall | ${sec(k?.validateCold?.wall_s)} / ${sec(k?.validate?.wall_s)} | ${sec(m.validateCold?.wall_s)} / ${sec(m.validate?.wall_s)} | | |`, '');
  L.push(`Requests by kind (last run), the mix: alertcron nothing matching: ${kinds(m.acQuiet)}; incident minute: ${kinds(m.acIncident)}.`);
  if (m.eaQuiet) L.push(`ElastAlert2 nothing matching: ${kinds(m.eaQuiet)}; incident minute: ${kinds(m.eaIncident)}.`);
  L.push('');
  return L;
}

function digestSection(res: BenchResults): string[] {
  const d = res.digest;
  if (!d) return [];
  const k = res.sizes.find((s) => s.n === d.n);
  const L: string[] = [
    `### N = ${int(d.n)} alerts: the incident minute with a digest channel beside email and Slack`,
    '',
    `Every alert also notifies \`digest-mail\` (an email channel on the same SMTP sink) with \`digest: { every: 1h, channels: [digest-mail] }\`: ` +
      `in the incident minute email and Slack get the same ${int(d.expectedMatches)} notices as without it, and each matching alert's findings are collected in the state; ` +
      'the first run after the hour (the minute after it, searching its own minute: `max_catchup: 1m`) sends one digest per alert that matched, with its summary table (`test/bench/digest.ts`).',
    '',
  ];
  if (d.skipped || !d.incident || !d.send) return [...L, `Not measured: ${d.skipped ?? 'no result'}.`, ''];
  L.push(
    `Medians of ${d.runs} runs; load average before: ${d.loadAvg?.join(', ') ?? '?'}.`,
    '',
    '| | incident minute, email and Slack | incident minute, with the digest channel | the run that sends the digests |',
    '|---|---:|---:|---:|',
    `| **wall** | ${range(k?.acIncident)} | ${range(d.incident)} | ${range(d.send)} |`,
    `| peak RSS | ${mb(k?.acIncident?.rss_mb)} | ${mb(d.incident.rss_mb)} | ${mb(d.send.rss_mb)} |`,
    `| CPU time (user + sys) | ${sec(k?.acIncident?.cpu_s)} | ${sec(d.incident.cpu_s)} | ${sec(d.send.cpu_s)} |`,
    `| HTTP requests to the cluster | ${reqs(k?.acIncident)} | ${reqs(d.incident)} | ${reqs(d.send)} |`,
    `| notifications received by the sinks (expected: ${int(d.expectedMatches)} each) | ${k?.acIncident?.delivered ?? '–'} | ${d.incident.delivered ?? '–'} | ${d.send.delivered ?? '–'} (digests) |`,
    '',
  );
  return L;
}

/** The incident minute with PagerDuty and Teams beside email and Slack, next to the same N's plain incident minute. */
function sigmaSection(res: BenchResults): string[] {
  const s = res.sigma;
  if (!s) return [];
  const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(0)} ms`);
  const L = [
    `### N = ${int(s.n)} Sigma alerts`,
    '',
    `Rules from ${s.source}: ${int(s.available)} files, ${int(s.refused)} refused by the compiler${s.refusedExamples.length ? ` (${s.refusedExamples.map((r) => `\`${r}\``).join('; ')})` : ''}; the first ${int(s.n)} that compile, ` +
      'each an alert `sigma: { rule: ../sigma/<file>, pipeline: ecs_windows }` on the bench index (`test/bench/sigma.ts`). Cold = the parse cache (`$XDG_CACHE_HOME/alertcron/`) deleted before each run; warm = left by the previous run.',
    '',
    '| | wall (median, min–max) | peak RSS | CPU |',
    '|---|---:|---:|---:|',
    `| in-process: read, parse, pipeline, DSL (first in the process / again) | ${ms(s.inProcessFirstMs)} / ${ms(s.inProcessAgainMs)} | | ${ms(s.inProcessFirstCpuMs)} / ${ms(s.inProcessAgainCpuMs)} |`,
  ];
  if (s.skipped) L.push('', `CLI not measured: ${s.skipped}`);
  else
    for (const [label, x] of [
      ['`alertcron validate`, cold parse cache', s.validateCold],
      ['`alertcron validate`, warm', s.validateWarm],
      ['`alertcron run` (nothing matching, fused), cold parse cache', s.runCold],
      ['`alertcron run`, warm', s.runWarm],
    ] as const)
      L.push(`| ${label} | ${range(x)} | ${mb(x?.rss_mb)} | ${sec(x?.cpu_s)} |`);
  const w = s.wildcard;
  if (w) {
    L.push(
      '',
      `**Case-insensitive wildcards.** One index of ${int(w.docs)} mixed-case command lines (\`process.command_line\`, keyword, most values unique; ` +
        `a \`.lower\` sub-field with a lowercase normalizer), one segment, store ${w.store_mb.toFixed(0)} MB, segments memory ${w.segments_memory_mb.toFixed(1)} MB, JVM heap max ${w.heap_max_mb.toFixed(0)} MB. ` +
        `Each query ${w.runs} times after two warm-ups, \`size: 0\`, request cache off; \`took\` median; heap polled every 25 ms during the series (\`test/bench/sigmaWildcard.ts\`).`,
      '',
      '| query | hits | took (median) | heap before → peak | young GCs (time) |',
      '|---|---:|---:|---:|---:|',
      ...w.series.map((x) => `| ${x.label} | ${int(x.hits)} | ${x.took_ms} ms | ${x.heap_before_mb.toFixed(0)} → ${x.heap_peak_mb.toFixed(0)} MB | ${x.young_gcs} (${x.young_gc_ms} ms) |`),
    );
  }
  L.push('');
  return L;
}

function pagingSection(res: BenchResults): string[] {
  const p = res.paging;
  if (!p) return [];
  const k = res.sizes.find((s) => s.n === p.n);
  const L: string[] = [
    `### N = ${int(p.n)} alerts: the incident minute with PagerDuty and Teams beside email and Slack`,
    '',
    'Every alert notifies four channels: `soc-email` and `soc-slack` (the sinks of the plain incident minute), `oncall-pd` (type `pagerduty`, the fake ' +
      'Events API v2 of `test/support/pagerDutyServer.ts`: one trigger event per notice, `dedup_key` per alert and key) and `soc-teams` (type `teams`, ' +
      'the fake Workflows trigger of `test/support/teamsWorkflowServer.ts`: one Adaptive Card per notice), so each of the ' +
      `${int(p.expectedMatches)} matching alerts gives four deliveries, counted on the four fakes; the plain incident minute notifies one channel per alert ` +
      '(email or Slack). Measured like it: a priming run a minute earlier, its state restored before each run (`test/bench/paging.ts`). ' +
      "alertcron only: ElastAlert2's `pagerduty` alerter posts to `https://events.pagerduty.com` hard-coded (`pagerduty_proxy` only tunnels that HTTPS request), " +
      'so it cannot reach a local fake without intercepting TLS, and a Teams-only ElastAlert2 run would not be the same workload.',
    '',
  ];
  if (p.skipped || !p.incident) return [...L, `Not measured: ${p.skipped ?? 'no result'}.`, ''];
  const c = p.byChannel;
  L.push(
    `Medians of ${p.runs} runs; load average before: ${p.loadAvg?.join(', ') ?? '?'}.`,
    '',
    '| | incident minute, email or Slack | incident minute, email, Slack, PagerDuty and Teams |',
    '|---|---:|---:|',
    `| **wall** | ${range(k?.acIncident)} | ${range(p.incident)} |`,
    `| peak RSS | ${mb(k?.acIncident?.rss_mb)} | ${mb(p.incident.rss_mb)} |`,
    `| CPU time (user + sys) | ${sec(k?.acIncident?.cpu_s)} | ${sec(p.incident.cpu_s)} |`,
    `| HTTP requests to the cluster | ${reqs(k?.acIncident)} | ${reqs(p.incident)} |`,
    `| notifications delivered (expected ${int(p.expectedMatches)} / ${int(4 * p.expectedMatches)}) | ${k?.acIncident?.delivered ?? '–'} | ${p.incident.delivered ?? '–'}${c ? ` (email ${c.email}, Slack ${c.slack}, PagerDuty ${c.pagerduty}, Teams ${c.teams})` : ''} |`,
    '',
  );
  return L;
}

function targets(res: BenchResults): string[] {
  const L: string[] = ['## Targets', '', '| target | measured | verdict |', '|---|---|---|'];
  const k = res.sizes.find((s) => s.n === 1000);
  const ten = res.sizes.find((s) => s.n === 10);
  const big = res.sizes.find((s) => s.n === 10_000);
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**');
  if (k?.acQuiet && k.eaQuiet) {
    const a = k.eaQuiet.wall_s / k.acQuiet.wall_s;
    const b = k.eaIncident && k.acIncident ? k.eaIncident.wall_s / k.acIncident.wall_s : undefined;
    const c = k.eaQuiet.extra?.cycle_s !== undefined ? k.eaQuiet.extra.cycle_s / k.acQuiet.wall_s : undefined;
    L.push(`| 1,000 alerts, nothing matching: ElastAlert2 / alertcron at least 20× (whole process) | ${a.toFixed(1)}× (${sec(k.eaQuiet.wall_s)} / ${sec(k.acQuiet.wall_s)}) | ${verdict(a >= 20)} |`);
    if (c !== undefined) L.push(`| 1,000 alerts, nothing matching: at least 10× against ElastAlert2's cycle alone (without its start-up) | ${c.toFixed(1)}× (${sec(k.eaQuiet.extra!.cycle_s)} / ${sec(k.acQuiet.wall_s)}) | ${verdict(c >= 10)} |`);
    if (b !== undefined) L.push(`| (for information) 1,000 alerts, 10% matching and delivering, whole process | ${b.toFixed(1)}× | |`);
  } else L.push('| 1,000 alerts: ElastAlert2 / alertcron at least 20× (whole process), 10× (cycle alone) | not in this run (--sizes, --no-elastalert) | not measured |');
  const floor = res.floor.nodeMsearch;
  if (ten?.acQuiet && floor) {
    const f = ten.acQuiet.wall_s / floor.wall_s;
    L.push(`| 10 alerts within 2× of the floor (node + one \`_msearch\` of one search, ${sec(floor.wall_s)}) | ${sec(ten.acQuiet.wall_s)} nothing matching = ${f.toFixed(2)}× the floor | ${verdict(f <= 2)} |`);
    if (ten.acIncident) {
      const g = ten.acIncident.wall_s / floor.wall_s;
      L.push(`| (for information) 10 alerts, 1 matching and delivering | ${sec(ten.acIncident.wall_s)} = ${g.toFixed(2)}× the floor | |`);
    }
  } else L.push('| 10 alerts within 2× of the floor | not in this run | not measured |');
  if (big?.acQuiet) {
    const q = big.acQuiet;
    L.push(`| 10,000 alerts, nothing matching: wall under 5 s | ${sec(q.wall_s)} (${sec(q.wall_min_s)}–${sec(q.wall_max_s)}) | ${verdict(q.wall_s < 5)} |`);
    L.push(`| 10,000 alerts, nothing matching: peak RSS under 200 MB | ${mb(q.rss_mb)} | ${verdict(q.rss_mb < 200)} |`);
    if (big.acIncident) L.push(`| (for information) 10,000 alerts, 10% matching and delivering ${int(big.expectedMatches ?? 0)} notices | ${sec(big.acIncident.wall_s)}, ${mb(big.acIncident.rss_mb)} | |`);
  } else L.push('| 10,000 alerts: under 5 s and 200 MB | not in this run (--sizes) | not measured |');
  const g = res.stateGrowth;
  if (g) {
    const dt = g.withKeys.wall_s - g.withoutKeys.wall_s;
    const dc = g.withKeys.cpu_s - g.withoutKeys.cpu_s;
    const dm = g.withKeys.rss_mb - g.withoutKeys.rss_mb;
    // The issue measured the keys' cost per run (25 ms and 3 MB per 1,000 keys): the same increment is compared here.
    const scale = g.keys / 100_000;
    L.push(
      `| a state of ${int(g.keys)} keys costs well under half of what it did (2.7 s and 430 MB per 100,000 keys, as the issue measured) | +${sec(dt)} wall, +${sec(dc)} CPU and +${mb(dm)} per run over the same run with no keys (${sec(g.withKeys.wall_s)} / ${sec(g.withoutKeys.wall_s)}; ${mb(g.withKeys.rss_mb)} / ${mb(g.withoutKeys.rss_mb)}) | ${verdict(dt < (2.7 / 2) * scale && dm < (430 / 2) * scale)} |`,
      `| (for information) the first run on the state as an older version wrote it (one ${(g.legacyBytes / 1e6).toFixed(1)} MB state.json, parsed and rewritten whole, as every run did before) | ${sec(g.firstRun.wall_s)}, ${sec(g.firstRun.cpu_s)} CPU, ${mb(g.firstRun.rss_mb)} | |`,
    );
  } else L.push('| a state of 100,000 keys | not in this run (--state-keys 0) | not measured |');
  for (const s of res.sizes) {
    if (!s.acQuiet) continue;
    L.push(`| (for information) ${int(s.n)} alerts, nothing matching: requests to the cluster / time with one in flight | ${reqs(s.acQuiet)} / ${sec(s.acQuiet.clusterMs / 1000)}${s.acQuietUnfused ? ` (fusion off: ${reqs(s.acQuietUnfused)} / ${sec(s.acQuietUnfused.clusterMs / 1000)})` : ''} | |`);
  }
  L.push(...hostsTargetRows(res.hosts));
  L.push(...issue29TargetRows(res));
  L.push('');
  return L;
}

function stateGrowthSection(res: BenchResults): string[] {
  const g = res.stateGrowth;
  if (!g) return [];
  const row = (label: string, x: Summary) => `| ${label} | ${range(x)} | ${mb(x.rss_mb)} | ${sec(x.cpu_s)} |`;
  return [
    '## State growth',
    '',
    `${int(g.alerts)} alerts (the first ${int(g.alerts)} of the bench set), nothing matching, steady state; one state remembers ${int(g.keys)} keys ` +
      `(${int(g.keys / Math.max(1, g.alerts))} per alert, all seen within the last day, each notified: what a group_by alert accumulates over a week), the other none. ` +
      `The grown state starts as one pretty-printed \`state.json\` of ${(g.legacyBytes / 1e6).toFixed(1)} MB, as older versions wrote it; the priming run a minute earlier ` +
      'moves the key history into the file store\'s key file. ' +
      PRIMED_KEYS_NOTE +
      'Runs with and without the keys alternate; medians.',
    '',
    '| run | wall (median, min–max) | peak RSS | CPU |',
    '|---|---:|---:|---:|',
    row(`with ${int(g.keys)} keys`, g.withKeys),
    row('with no keys', g.withoutKeys),
    row(`the first run on the ${(g.legacyBytes / 1e6).toFixed(1)} MB file of an older version (converts it)`, g.firstRun),
    '',
  ];
}

function profileSection(res: BenchResults): string[] {
  const ps = res.profiles ?? [];
  if (!ps.length) return ["## Where alertcron's time goes", '', 'No profile in this run (`--no-profile`, or the profiled size was not measured).', ''];
  const label = (p: (typeof ps)[number]) => (p.scenario === 'quiet' ? 'nothing matching' : `10% matching, ${p.delivered} notifications`);
  const L: string[] = [
    "## Where alertcron's time goes",
    '',
    `One steady-state \`alertcron run\` of the ${int(ps[0]!.n)}-alert set per scenario under \`node --cpu-prof --cpu-prof-interval=100\`, started from \`dist/src\` rather than the start-up bundle so that every sample names its source file (its module loading is therefore heavier than in the runs measured above) ` +
      "(100 µs sampling; the profile starts after node's own start-up, about `node -e 0`, " +
      `${sec(res.floor.nodeNothing?.wall_s)}, which comes on top). Every CPU sample is charged to the nearest alertcron or npm function on its stack, ` +
      "so node's own file, stream and URL work counts for whoever asked for it. `(idle)` is the process waiting: for the cluster while an " +
      '`_msearch` is in flight (measured at the proxy), otherwise for SMTP/Slack answers, the file system or timers.',
    '',
  ];
  for (const p of ps) {
    const idle = p.summary.byArea.filter((r) => r.name.startsWith('(idle')).reduce((a, r) => a + r.ms, 0);
    L.push(
      `**${label(p)}**: wall ${sec(p.wall_s)} with the profiler on; the profile covers ${int(p.summary.totalMs)} ms: ${int(idle)} ms idle ` +
        `(${int(p.clusterMs)} ms of it with ${p.requests} \`_msearch\` request(s) in flight), ${int(p.summary.totalMs - idle)} ms on the CPU.`,
      '',
    );
  }
  const areaNames = [...new Set(ps.flatMap((p) => p.summary.byArea.map((r) => r.name)))];
  const msOf = (p: (typeof ps)[number], name: string) => p.summary.byArea.find((r) => r.name === name);
  areaNames.sort((a, b) => (msOf(ps[0]!, b)?.ms ?? 0) - (msOf(ps[0]!, a)?.ms ?? 0));
  L.push(`| part of the run | ${ps.map((p) => `${label(p)}: ms (share)`).join(' | ')} |`, `|---|${ps.map(() => '---:').join('|')}|`);
  for (const name of areaNames) L.push(`| ${name} | ${ps.map((p) => { const r = msOf(p, name); return r ? `${r.ms.toFixed(1)} (${(r.share * 100).toFixed(1)}%)` : '–'; }).join(' | ')} |`);
  L.push('');
  for (const p of ps) {
    L.push(`Top owners, ${label(p)} (file of alertcron or npm package; the CPU samples charged to it):`, '', '| owner | ms | share |', '|---|---:|---:|');
    L.push(...p.summary.byOwner.filter((r) => !r.name.startsWith('(idle')).slice(0, 12).map((r) => `| ${r.name} | ${r.ms.toFixed(1)} | ${(r.share * 100).toFixed(1)}% |`), '');
    if (p.summary.alertcronInclusive.length) {
      L.push(`alertcron's own functions by inclusive time (self and callees), ${label(p)}:`, '', '| function | ms | share |', '|---|---:|---:|');
      L.push(...p.summary.alertcronInclusive.slice(0, 12).map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.ms.toFixed(1)} | ${(r.share * 100).toFixed(1)}% |`), '');
    }
    L.push(`Top functions by self time, ${label(p)}:`, '', '| function | self ms | share |', '|---|---:|---:|');
    L.push(...p.summary.byFunction.filter((r) => r.name !== '(idle)').slice(0, 12).map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.ms.toFixed(1)} | ${(r.share * 100).toFixed(1)}% |`), '');
  }
  return L;
}

/** The file and cluster state backends side by side. */
function backendSection(res: BenchResults): string[] {
  const rows = res.backends ?? [];
  if (!rows.length) return [];
  return [
    '### State backends: file and cluster',
    '',
    'The same steady-state run with `state.backend: file` and with `state.backend: cluster` (the state in an index of the same cluster, through the proxy). ' +
      '"state requests" and "state writes" are what the run itself reports (`run --json`, `stateRequests`); for the file, writes are state rewrites plus delivery-journal syncs; for the cluster, write requests, and "documents written" the actions of its `_bulk` requests. ' +
      'Before each measured run the state is reset and one priming run at T − 1 min leaves it behind.',
    '',
    '| N | scenario | backend | wall (median, min–max) | cluster requests (all) | state requests | state writes | documents written |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${int(r.n)} | ${r.scenario} | ${r.backend} | ${range(r.wall)} | ${int(r.clusterRequests)} | ${int(r.stateRequests)} | ${int(r.stateWrites)} | ${r.stateDocs === undefined || Number.isNaN(r.stateDocs) ? '–' : int(r.stateDocs)} |`),
    '',
  ];
}

/** Writes the whole report (called after each N, so a long run leaves a useful file behind). */
export function writeReport(file: string, res: BenchResults, commands: string[]): void {
  const v = res.versions;
  const m = res.machine;
  const f = res.floor;
  const L: string[] = [
    '# Benchmark: alertcron and ElastAlert2 on one busy day of auth logs',
    '',
    `Generated by \`npm run bench\` (\`test/bench/bench.ts\`) on ${res.startedAt.slice(0, 16).replace('T', ' ')} UTC` +
      `${res.finishedAt ? '' : ' — **run still in progress or interrupted: partial results**'}. Do not edit by hand: run the bench again.`,
    ...(res.error ? ['', `**The bench failed before the end (${res.error.split('\n')[0]}): the results below are partial.**`] : []),
    'Nothing here is asserted: the bench measures and reports.',
    '',
    ...targets(res),
    '## Machine and versions',
    '',
    `- Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB memory, ${m.os}. Everything runs on it: the OpenSearch node (1 GB heap), the counting proxy, the sinks and the tool measured. Load average at the start: ${m.loadAvgAtStart?.join(', ') ?? '?'}.`,
    `- Node ${v.node}; alertcron commit ${v.alertcronCommit}${v.alertcronDirty ? ' **with uncommitted changes in src/** (the build of the working tree was measured)' : ''} (a copy of \`dist/src\` and \`bin\` taken when the bench started); ${v.opensearch} (single node from Maven Central, \`test/support/engine.ts\`, port ${res.options.port ?? 9260}).`,
    v.elastalert2 ? `- ElastAlert2 ${v.elastalert2} from PyPI (elasticsearch-py ${v.elasticsearchPy}) on Python ${v.python}, in \`test/bench/.venv\`.` : '- ElastAlert2: not measured in this run (`--no-elastalert`).',
    '',
    '## Commands',
    '',
    '```sh',
    ...commands,
    '```',
    '',
    'Options: `--sizes 10,100,1000,5000,10000` `--runs 5` `--ea-runs R` (ElastAlert2 runs; default: `--runs`)',
    '`--no-elastalert` `--no-profile` `--profile-size 1000` `--port 9260` `--out docs/BENCHMARK.md` `--keep` (keep the work folder)',
    '`--state-keys 100000` `--state-alerts 100` (0 keys: no state-growth measurement)',
    '`--mix-size N` (alerts in the mix of the ElastAlert2 rule types; default 1000 when 1000 is among the sizes, else the largest; 0: none)',
    '`--backend-sizes 10,1000` (compare the file and cluster state backends at these of the sizes) `--no-backends`.',
    '`--digest-size N` (alerts in the incident minute with a digest channel; default 1000 when 1000 is among the sizes, else the largest) `--no-digest`.',
    '`--paging-size N` (alerts in the incident minute with PagerDuty and Teams beside email and Slack; default as `--digest-size`) `--no-paging`.',
    '`--sigma-size N` (Sigma alerts; default as `--digest-size`) `--no-sigma`; `--sigma-rules DIR` (a folder of Sigma rules) or `--sigma-repo GIT` (a clone of SigmaHQ/sigma: its rules/windows); `--wildcard-docs 1000000` (0: no wildcard measurement).',
    '`--hosts 1,2,4` (hosts sharing the alerts through the cluster state) `--hosts-alerts 10000` `--hosts-minutes 5` (measured minutes, after 2 of warm-up) `--hosts-scale 1000` (the same with 1 and the most hosts at this many alerts: state writes against alerts; 0: none) `--hosts-target 40000` (4 hosts × this many alerts; 0: not measured) `--hosts-takeover defaults,short` (SIGKILL cases; empty: none) `--no-hosts`; `--hosts-only` measures only these and rewrites only their section and target rows of the report.',
    '`--receipts 200000,1000000` (receipts in the states of the receipts rows; empty: none) `--receipts-alerts 100` `--firing-keys 100000` (keys of the one firing alert; 0: none) `--big-size 100000` (alerts on one host; 0: none) `--big-runs N` (its measured runs; default `--runs`, at most 3) `--stage-runs 3` (extra `run --json` runs per scenario for the stages; 0: none).',
    '`--only floor,sizes,mix,digest,paging,sigma,growth,receipts,keys,big,hosts` measures only the scenarios named (`100k` = `big`); the report then holds only those: write it elsewhere with `--out`.',
    `This report: sizes ${res.options.sizes.join(', ')}${res.mix ? `, the mix at ${res.mix.n}` : ''}${res.digest ? `, the digest channel at ${res.digest.n}` : ''}${res.paging ? `, PagerDuty and Teams at ${res.paging.n}` : ''}; ${res.options.runs} runs${res.options.eaRuns ? `, ElastAlert2 ${res.options.eaRuns} runs` : ''}.`,
    '',
    '## Results',
    '',
    ...res.sizes.flatMap(sizeTable),
    ...mixSection(res),
    ...digestSection(res),
    ...pagingSection(res),
    ...sigmaSection(res),
    ...stateGrowthSection(res),
    ...issue29Sections(res),
    '### The floor',
    '',
    '| | wall (median, min–max) | peak RSS |',
    '|---|---:|---:|',
    `| \`node -e 0\` | ${range(f.nodeNothing)} | ${mb(f.nodeNothing?.rss_mb)} |`,
    `| node + one \`_msearch\` of one search through the proxy (\`test/bench/floor.ts\`, node:http) | ${range(f.nodeMsearch)} | ${mb(f.nodeMsearch?.rss_mb)} |`,
    `| that \`_msearch\` round trip alone, inside the process | ${f.nodeMsearch?.extra?.rtt_ms !== undefined ? `${f.nodeMsearch.extra.rtt_ms.toFixed(1)} ms` : '–'} | |`,
    f.pythonNothing ? `| \`python -c pass\` (the venv's Python) | ${range(f.pythonNothing)} | ${mb(f.pythonNothing.rss_mb)} |` : '',
    '',
    ...backendSection(res),
    ...hostsSection(res.hosts),
    ...stagesSection(res),
    ...profileSection(res),
    '## How it is measured',
    '',
    `**Data.** One index, \`${res.data.index}\` (1 shard, no replica, string fields as keywords like the Beats templates), holding ${int(res.data.docs)} ` +
      `Windows authentication events of one busy day (2025-03-11): ${int(BACKGROUND_EVENTS)} ordinary events (logon 4624, logoff 4634, failure 4625, ` +
      `special logon 4672, explicit credentials 4648) of ${int(USERS)} users on ${int(WORKSTATIONS)} workstations and ${int(SERVERS)} servers, ` +
      `busier in office hours and skewed towards some users and servers, plus ${int(res.data.docs - BACKGROUND_EVENTS)} incident events in the minute before ${res.data.incidentNow}. ` +
      `Store size ${(res.data.sizeBytes / 1e6).toFixed(0)} MB. Seeded by \`test/bench/data.ts\` from a fixed PRNG seed with bulk requests of 10,000 documents ` +
      `(two in flight), refresh disabled during the load, one refresh at the end; skipped when the index already holds this seed version's documents ` +
      `(${res.data.seededNow ? `seeded in this run in ${res.data.seedSeconds.toFixed(0)} s` : 'already seeded: skipped in this run'}).`,
    '',
    `**Alerts.** N alert definitions, alert i watching server srv-i, of three kinds by i mod 3 (\`test/bench/alerts.ts\`), each on one channel (Slack or email, alternating by tens):`,
    '',
    '| kind | alertcron | ElastAlert2 rule |',
    '|---|---|---|',
    `| count per key | event.code 4625 on srv-i, \`group_by: winlog.event_data.TargetUserName\`, \`condition: {type: count, gte: ${COUNT_THRESHOLD}}\` | \`type: frequency\`, \`num_events: ${COUNT_THRESHOLD}\`, \`timeframe: 1m\`, \`query_key\` the user, \`use_terms_query: true\` (one terms aggregation, as alertcron does, instead of fetching every hit) |`,
    '| any hit | event.code 4624 with the break-glass account adm-i, `condition: {type: any}` | `type: any` |',
    `| buckets over an aggregation | failures on srv-i; the query (in \`queries/\`) has \`by_ip\`: terms on source.ip with a cardinality of users; \`condition: {type: buckets, path: by_ip, value: users.value, gte: ${SPRAY_USERS}}\` | \`type: metric_aggregation\`, \`metric_agg_type: cardinality\` of the user, \`query_key: source.ip\`, \`max_threshold: ${SPRAY_USERS - 1}\` |`,
    '',
    `Both tools search the same one-minute window with the same filters: nothing matching = [${res.data.quietNow.slice(11, 19)} − 1 min, ${res.data.quietNow.slice(11, 19)}) UTC ` +
      `(${int(res.data.quietWindowDocs)} events in that minute); 10% matching = the minute before ${res.data.incidentNow.slice(11, 19)} (${int(res.data.incidentWindowDocs)} events), ` +
      'where every alert i with i mod 10 = 0 has its incident (a failed-logon burst, a break-glass logon, or password spraying): exactly N/10 alerts match, one notification each. ' +
      'alertcron throttles 30 min per key, ElastAlert2 `realert: 30 minutes`.',
    '',
    '**alertcron** is measured in steady state, as cron runs it every minute: `alertcron.yaml` has `every: 1m`, `first_lookback: 1m`, `ingest_delay: 0s` (windows end at now, as in ElastAlert2), the default `msearch_chunk: 200` and `fuse_alerts: 100` (query fusion: the alerts of one window go as searches of up to 100 alerts each; a second configuration with `fuse_alerts: 1` gives the runs "fusion off"; from 1,000 alerts on, two more with `msearch_concurrency: 2` run alternately with those two: fusion off, 200 searches a request, and fusion on, the fused searches cut into two requests sent together), ' +
      'delivery concurrency 8. A priming run at T − 1 min leaves `state/` (and the parse and code caches under `XDG_CACHE_HOME`) behind; it is copied aside and restored before ' +
      'each measured run at T (`ALERTCRON_NOW=T`), so every measured run is the same "next minute" run. The priming run is cold (no parse cache); one warm `alertcron validate` follows it before the copy is taken, ' +
      'so that the parse cache restored is as a warm run leaves it (a cache written by a cold run is rewritten by the next warm one: in production once after a change, here it would be every restored run). Command: `node bin/alertcron.js run` in the project folder ' +
      '(made with `test/support/project.ts`). `alertcron validate` is measured on the same folder.',
    '',
    '**ElastAlert2** has no run-once flag, and its daemon with `--start/--end` may exit before any rule runs (each rule job starts after a random 0–15 s delay). ' +
      '`elastalert-test-rule` runs one rule per process with the writeback mocked out. So `test/bench/ea_driver.py` imports ElastAlert2 and does one daemon cycle with its own methods: ' +
      '`ElastAlerter([--config, --end])` (loads every rule file, as the daemon does at start), `handle_pending_alerts()`, then `handle_rule_execution(rule)` for every rule ' +
      "with `initial_starttime` = the window's start, on a thread pool of `max_threads` (10) workers like the daemon's scheduler, then `handle_config_change()`. " +
      'Each rule searches the window exactly once (`run_every` = `buffer_time` = 1 min, so no segmenting; the given start skips the last-run lookup). ' +
      `Alerts are really sent (no \`--debug\`), and ElastAlert2 writes its writeback documents to its indices on the same cluster (\`${'bench_elastalert'}*\`, made once with \`elastalert-create-index\`): ` +
      'one `elastalert_status` document per rule and run, and per alert a silence and an `elastalert` document; all of these requests are counted. ' +
      "The writeback indices are emptied before each run, so every run is the same cycle (no silences left by the previous run). The driver's process includes " +
      "Python's start, the imports and the loading of N rule files, which a long-running daemon pays once: the table also shows its cycle time alone.",
    '',
    '**Measurement.** Each run is a child process started by `test/bench/measure.py`: wall time around spawn and exit, peak RSS from ' +
      '`getrusage(RUSAGE_CHILDREN).ru_maxrss` after exit (MB = 10^6 bytes), CPU time from the same call. Both tools reach the cluster through a counting HTTP proxy ' +
      '(`test/bench/proxy.ts`, node:http, keep-alive to the engine) that counts every request and TCP connection; the floor measurement goes through it too. ' +
      "Before each series (and before each ElastAlert2 run, after its writeback was emptied) the bench waits until the cluster runs no merge, plus 1 s. The cluster's shard request cache is cleared before every measured run (a cron run searches a new window every minute); other caches stay warm. " +
      'Notifications go to the real SMTP sink and Slack-protocol server of `test/support/` (local, instant answers). Runs of one tool and scenario follow each other; the medians are reported.',
    '',
    '## Checks',
    '',
    ...res.checks.map((c) => `- ${c}`),
    '',
    '## Caveats',
    '',
    '- One 2-core machine runs everything: the OpenSearch node, the proxy and the sinks compete with the tool measured, as they would not in production. The ratios are more telling than the absolute times.',
    '- The proxy adds a hop to every request (on the order of 0.1–0.5 ms); it penalises the tool that sends more requests.',
    "- ElastAlert2's process time includes its start-up and rule loading; a daemon pays those once, hence the separate \"cycle only\" line. Its daemon would also spread the rule jobs over the minute (jitter) instead of running them back to back; the driver measures the work of one cycle, not its spread. Its 10 worker threads overlap the rules' requests (the GIL still serialises the Python work).",
    '- Small differences (tens of ms) are within the noise of this shared 2-core machine: compare the min–max ranges, and re-run before trusting a change of a few percent. The floor ratio for 10 alerts in particular moves between runs of the bench.',
    '- alertcron runs as one process per minute by design (cron): its wall time includes node\'s start, loading the alerts and the state, and writing the state.',
    '',
  ];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, L.join('\n'));
}
