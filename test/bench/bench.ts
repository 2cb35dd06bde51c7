// The benchmark: `npm run bench` (tsc -p . && node dist/test/bench/bench.js).
//
//   node dist/test/bench/bench.js [--sizes 10,100,1000,5000,10000] [--runs 5] [--ea-runs R] [--no-elastalert]
//                                 [--no-profile] [--profile-size 1000] [--port 9260] [--out docs/BENCHMARK.md] [--keep]
//                                 [--state-keys 100000] [--state-alerts 100] [--mix-size N] [--digest-size N | --no-digest]
//                                 [--paging-size N | --no-paging] [--sigma-size N | --no-sigma] [--sigma-rules DIR | --sigma-repo GIT]
//                                 [--wildcard-docs N] [--hosts 1,2,4 | --no-hosts] [--hosts-alerts 10000] [--hosts-minutes 5]
//                                 [--hosts-scale 1000] [--hosts-target 40000] [--hosts-takeover defaults,short] [--hosts-only]
//                                 [--receipts 200000,1000000] [--receipts-alerts 100] [--firing-keys 100000] [--big-size 100000]
//                                 [--big-runs N] [--stage-runs 3] [--only floor,sizes,mix,digest,paging,sigma,growth,receipts,keys,big,hosts]
//
// Starts (or reuses) an OpenSearch 2.19 node on port 9260, seeds one busy day of auth events (once; skipped when
// the index already holds them), puts a counting HTTP proxy in front of it, and for each N measures one
// `alertcron run` (nothing matching, and 10% matching with deliveries into a local SMTP sink and Slack server),
// `alertcron validate`, and one ElastAlert2 cycle over equivalent rules; then the same for a mix of the ElastAlert2
// rule types (frequency, flatline, spike ... one per alert in turn; --mix-size, default 1000); the incident minute
// with a digest channel beside email and Slack, and the run that sends the digests (--digest-size, default 1000;
// test/bench/digest.ts); the incident minute with PagerDuty and Teams beside email and Slack, every alert notifying
// all four (--paging-size, default 1000; test/bench/paging.ts); N Sigma alerts compiled on a cold and a warm parse cache
// and run, and the cost of case-insensitive wildcards on a large keyword index (--sigma-size, default 1000;
// --wildcard-docs, default 1,000,000; test/bench/sigma.ts); 1, 2 and 4 hosts sharing 10,000 alerts through the cluster
// state, the target of 4 hosts x 40,000 alerts and the takeover after a SIGKILL (test/bench/hosts.ts; --hosts-only
// measures only that and rewrites only its section of the report); issue 29's rows: a quiet run with a week of receipts
// (200,000 and 1,000,000) against none, one alert with 100,000 keys firing against none, and 100,000 alerts on one host
// (test/bench/stateRows.ts, big.ts); every measured scenario also read its stages from `run --json` (`--stage-runs`
// extra runs where the report itself would weigh on the measured ones); then writes docs/BENCHMARK.md. `--only`
// measures only the scenarios named (write the report elsewhere with --out to keep docs/BENCHMARK.md whole).
// It reports only: nothing here fails on a time.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { startEngine } from '../support/engine.js';
import { createProject, defaultConfig, REPO_ROOT } from '../support/project.js';
import { startPagerDutyServer } from '../support/pagerDutyServer.js';
import { startSlackServer } from '../support/slackServer.js';
import { startSmtpSink } from '../support/smtpSink.js';
import { startTeamsWorkflowServer } from '../support/teamsWorkflowServer.js';
import { writeAlertcronAlerts, writeElastAlertMixRules, writeElastAlertRules, writeMixAlerts } from './alerts.js';
import { DIGEST_CHANNEL, digestChannel, measureDigest } from './digest.js';
import { alertMatchesInIncident, docsInWindow, INCIDENT_NOW, INDEX, INDEX_PATTERN, QUIET_NOW, seed, SERVERS, WINDOW_MS } from './data.js';
import { measurePaging, PAGING_NOTIFY, pagerDutyEvents, pagingChannels, pagingEnv } from './paging.js';
import { checkSigmaSource, compileInProcess, materialiseSigmaRules, measureSigmaCli, type SigmaBenchResult } from './sigma.js';
import { measureWildcardCost } from './sigmaWildcard.js';
import { measureHosts, type HostsOptions } from './hosts.js';
import { carryHostsReport, spliceHostsReport } from './hostsReport.js';
import { summariseProfile } from './profile.js';
import { startCountingProxy } from './proxy.js';
import { measureStateGrowth } from './stateGrowth.js';
import { measureFiringKeys, measureReceipts } from './stateRows.js';
import { measureBig } from './big.js';
import { warmParseCache } from './primed.js';
import { stagesOf, summariseStages, type RunStages } from './stagesReport.js';
import { writeReport, type BenchResults, type SizeResult } from './report.js';
import { BENCH_DIR, benchSettings, capture, measured, summarise, type Sample } from './run.js';
import { ensureVenv, VENV } from './venv.js';

interface Options {
  sizes: number[];
  runs: number;
  eaRuns?: number;
  elastalert: boolean;
  profile: boolean;
  profileSize: number;
  port: number;
  out: string;
  keep: boolean;
  /** Keys in the grown state measured (0: not measured), over stateAlerts alerts. */
  stateKeys: number;
  stateAlerts: number;
  /** Alerts in the mix of the ElastAlert2 rule types (0: none; default 1000 when measured, else the largest size). */
  mixSize?: number;
  /** Sizes at which the file and cluster state backends are compared (those of --sizes only). */
  backendSizes: number[];
  /** Alerts in the incident minute with a digest channel (0: not measured; default 1000 when measured, else the largest size). */
  digestSize?: number;
  /** Alerts in the incident minute with PagerDuty and Teams beside email and Slack (0: not measured; default as the digest's). */
  pagingSize?: number;
  /** Sigma alerts compiled and run (0: not measured; default as the digest's); where their rules come from. */
  sigmaSize?: number;
  sigmaRules?: string;
  sigmaRepo?: string;
  /** Documents in the keyword index of the case-insensitive wildcard measurement (0: not measured). */
  wildcardDocs: number;
  /** Many hosts sharing the alerts (hosts.hosts empty: not measured); hostsOnly: only that, spliced into the report. */
  hosts: HostsOptions;
  hostsOnly: boolean;
  /** Receipts in the states of the receipts rows (empty: not measured), over receiptsAlerts alerts. */
  receipts: number[];
  receiptsAlerts: number;
  /** Keys of the one firing alert of the keys row (0: not measured). */
  firingKeys: number;
  /** Alerts of the big size on one host (0: not measured), and its measured runs (default: --runs, at most 3). */
  bigSize: number;
  bigRuns?: number;
  /** Extra `run --json` runs per scenario that read the stages where the measured runs do not print the report. */
  stageRuns: number;
  /** The scenarios measured (default: all). */
  only: Set<Scenario>;
}

/** The scenarios `--only` can name. */
const SCENARIOS = ['floor', 'sizes', 'mix', 'digest', 'paging', 'sigma', 'growth', 'receipts', 'keys', 'big', 'hosts'] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseOptions(argv: string[]): Options {
  const o: Options = { sizes: [10, 100, 1000, 5000, 10_000], runs: 5, elastalert: true, profile: true, profileSize: 1000, port: 9260, out: join(REPO_ROOT, 'docs', 'BENCHMARK.md'), keep: false, stateKeys: 100_000, stateAlerts: 100, backendSizes: [10, 1000], wildcardDocs: 1_000_000, hosts: { hosts: [1, 2, 4], alerts: 10_000, minutes: 5, scaleAlerts: 1000, targetAlerts: 40_000, targetHosts: 4, takeovers: ['defaults', 'short'] }, hostsOnly: false, receipts: [200_000, 1_000_000], receiptsAlerts: 100, firingKeys: 100_000, bigSize: 100_000, stageRuns: 3, only: new Set(SCENARIOS) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const name = a.split('=')[0];
    if (name === '--sizes') o.sizes = value().split(',').map((s) => Number(s.replace(/[_,]/g, '')));
    else if (name === '--runs') o.runs = Number(value());
    else if (name === '--ea-runs') o.eaRuns = Number(value());
    else if (name === '--no-elastalert') o.elastalert = false;
    else if (name === '--no-profile') o.profile = false;
    else if (name === '--profile-size') o.profileSize = Number(value());
    else if (name === '--port') o.port = Number(value());
    else if (name === '--out') o.out = value();
    else if (name === '--keep') o.keep = true;
    else if (name === '--state-keys') o.stateKeys = Number(value());
    else if (name === '--state-alerts') o.stateAlerts = Number(value());
    else if (name === '--mix-size') o.mixSize = Number(value());
    else if (name === '--backend-sizes') o.backendSizes = value().split(',').map(Number);
    else if (name === '--no-backends') o.backendSizes = [];
    else if (name === '--digest-size') o.digestSize = Number(value());
    else if (name === '--no-digest') o.digestSize = 0;
    else if (name === '--paging-size') o.pagingSize = Number(value());
    else if (name === '--no-paging') o.pagingSize = 0;
    else if (name === '--sigma-size') o.sigmaSize = Number(value());
    else if (name === '--no-sigma') o.sigmaSize = 0;
    else if (name === '--sigma-rules') o.sigmaRules = value();
    else if (name === '--sigma-repo') o.sigmaRepo = value();
    else if (name === '--wildcard-docs') o.wildcardDocs = Number(value());
    else if (name === '--hosts') o.hosts.hosts = value().split(',').map(Number);
    else if (name === '--no-hosts') o.hosts.hosts = [];
    else if (name === '--hosts-alerts') o.hosts.alerts = Number(value().replace(/[_,]/g, ''));
    else if (name === '--hosts-minutes') o.hosts.minutes = Number(value());
    else if (name === '--hosts-scale') o.hosts.scaleAlerts = Number(value().replace(/[_,]/g, ''));
    else if (name === '--hosts-target') o.hosts.targetAlerts = Number(value().replace(/[_,]/g, ''));
    else if (name === '--hosts-takeover') o.hosts.takeovers = value().split(',').filter(Boolean) as HostsOptions['takeovers'];
    else if (name === '--hosts-only') o.hostsOnly = true;
    else if (name === '--receipts') o.receipts = value().split(',').filter(Boolean).map((x) => Number(x.replace(/_/g, ''))).filter((x) => x !== 0);
    else if (name === '--receipts-alerts') o.receiptsAlerts = Number(value());
    else if (name === '--firing-keys') o.firingKeys = Number(value().replace(/_/g, ''));
    else if (name === '--big-size') o.bigSize = Number(value().replace(/_/g, ''));
    else if (name === '--big-runs') o.bigRuns = Number(value());
    else if (name === '--stage-runs') o.stageRuns = Number(value());
    else if (name === '--only') {
      const names = value().split(',').filter(Boolean).map((x) => (x === '100k' ? 'big' : x));
      const unknown = names.filter((x) => !(SCENARIOS as readonly string[]).includes(x));
      if (unknown.length || !names.length) throw new Error(`--only: a list of ${SCENARIOS.join(', ')} (not ${unknown.join(', ') || 'nothing'})`);
      o.only = new Set(names as Scenario[]);
    }
    else if (name === '--help' || name === '-h') {
      console.log('usage: node dist/test/bench/bench.js [--sizes 10,100,1000,5000,10000] [--runs 5] [--ea-runs R] [--no-elastalert] [--no-profile] [--profile-size 1000] [--port 9260] [--out docs/BENCHMARK.md] [--keep] [--state-keys 100000] [--state-alerts 100] [--mix-size N] [--backend-sizes 10,1000 | --no-backends] [--digest-size N | --no-digest] [--paging-size N | --no-paging] [--sigma-size N | --no-sigma] [--sigma-rules DIR | --sigma-repo GIT] [--wildcard-docs 1000000] [--hosts 1,2,4 | --no-hosts] [--hosts-alerts 10000] [--hosts-minutes 5] [--hosts-scale 1000] [--hosts-target 40000] [--hosts-takeover defaults,short] [--hosts-only] [--receipts 200000,1000000] [--receipts-alerts 100] [--firing-keys 100000] [--big-size 100000] [--big-runs N] [--stage-runs 3] [--only floor,sizes,mix,digest,paging,sigma,growth,receipts,keys,big,hosts]');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (o.sizes.some((n) => !Number.isInteger(n) || n < 1 || n > SERVERS)) throw new Error(`--sizes: whole numbers from 1 to ${SERVERS} (the seeded data has ${SERVERS.toLocaleString('en-US')} servers)`);
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs: a whole number >= 1');
  if (o.mixSize !== undefined && (!Number.isInteger(o.mixSize) || o.mixSize < 0 || o.mixSize > 5000)) throw new Error('--mix-size: a whole number from 0 (no mix) to 5000');
  if (o.digestSize !== undefined && (!Number.isInteger(o.digestSize) || o.digestSize < 0 || o.digestSize > SERVERS)) throw new Error(`--digest-size: a whole number from 0 (not measured) to ${SERVERS}`);
  if (o.pagingSize !== undefined && (!Number.isInteger(o.pagingSize) || o.pagingSize < 0 || o.pagingSize > SERVERS)) throw new Error(`--paging-size: a whole number from 0 (not measured) to ${SERVERS}`);
  if (o.sigmaSize !== undefined && (!Number.isInteger(o.sigmaSize) || o.sigmaSize < 0)) throw new Error('--sigma-size: a whole number (0: not measured)');
  if (!Number.isInteger(o.wildcardDocs) || o.wildcardDocs < 0) throw new Error('--wildcard-docs: a whole number of documents (0: not measured)');
  checkSigmaSource({ rulesDir: o.sigmaRules, repo: o.sigmaRepo });
  const h = o.hosts;
  if (h.hosts.some((x) => !Number.isInteger(x) || x < 1 || x > 16)) throw new Error('--hosts: host counts from 1 to 16, e.g. 1,2,4');
  if (o.hostsOnly && !h.hosts.length) throw new Error('--hosts-only needs host counts (--hosts 1,2,4), not --no-hosts');
  for (const [flag, x, min] of [['--hosts-alerts', h.alerts, 1], ['--hosts-minutes', h.minutes, 1], ['--hosts-scale', h.scaleAlerts, 0], ['--hosts-target', h.targetAlerts, 0]] as const)
    if (!Number.isInteger(x) || x < min) throw new Error(`${flag}: a whole number >= ${min}`);
  if (h.takeovers.some((t) => t !== 'defaults' && t !== 'short')) throw new Error('--hosts-takeover: a list of defaults and short (empty: none)');
  if (o.receipts.some((x) => !Number.isInteger(x) || x < 1)) throw new Error('--receipts: whole numbers of receipts, e.g. 200000,1000000 (empty: not measured)');
  for (const [flag, x, min] of [['--receipts-alerts', o.receiptsAlerts, 1], ['--firing-keys', o.firingKeys, 0], ['--big-size', o.bigSize, 0], ['--big-runs', o.bigRuns ?? 1, 1], ['--stage-runs', o.stageRuns, 0]] as const)
    if (!Number.isInteger(x) || x < min) throw new Error(`${flag}: a whole number >= ${min}`);
  return o;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const iso = (ms: number) => new Date(ms).toISOString();
const WRITEBACK = 'bench_elastalert';
/** The bench project's configuration with query fusion off (`fuse_alerts: 1`), next to alertcron.yaml. */
const UNFUSED_CONFIG = 'alertcron-unfused.yaml';
/** The same with two `_msearch` requests in flight (`msearch_concurrency: 2`), fusion off. */
const UNFUSED_C2_CONFIG = 'alertcron-unfused-c2.yaml';
/** Fusion on, its fused searches split over two `_msearch` requests sent together. */
const FUSED_C2_CONFIG = 'alertcron-fused-c2.yaml';

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'alertcron-bench-'));
  log(`bench: sizes ${opts.sizes.join(', ')}, ${opts.runs} runs each; work folder ${work}`);

  // alertcron as built in dist/ now: a copy, so that a rebuild of the working tree during the bench does not
  // change what is measured half-way.
  const app = join(work, 'alertcron');
  for (const part of ['package.json', 'bin', join('dist', 'src'), join('dist', 'bundle'), join('src', 'config', 'schemas')]) {
    if (existsSync(join(REPO_ROOT, part))) cpSync(join(REPO_ROOT, part), join(app, part), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
  const BIN = join(app, 'bin', 'alertcron.js');
  // The profiled runs start the CLI from dist/src instead of the start-up bundle, so that each sample names its source file.
  const UNBUNDLED = join(app, 'bin', 'alertcron-unbundled.mjs');
  writeFileSync(UNBUNDLED, "const cli = await import('../dist/src/cli.js');\nconst { exitWhenFlushed } = await import('../dist/src/util/exitWhenFlushed.js');\nawait exitWhenFlushed(await cli.main(process.argv));\n");

  const engine = await startEngine({ port: opts.port, log: (line) => line.startsWith('engine:') && log(line) });
  const direct = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${engine.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  };
  const seeded = await seed(engine.url, log);
  const quietDocs = await docsInWindow(engine.url, QUIET_NOW - WINDOW_MS, QUIET_NOW);
  const incidentDocs = await docsInWindow(engine.url, INCIDENT_NOW - WINDOW_MS, INCIDENT_NOW);
  const clusterInfo = (await direct('GET', '/')).json as { version?: { number?: string; distribution?: string } };

  const py = opts.elastalert && !opts.hostsOnly ? await ensureVenv(log) : undefined;
  const python = py?.python ?? 'python3';
  const proxy = await startCountingProxy(engine.url);
  const smtp = await startSmtpSink();
  const slack = await startSlackServer();
  const pagerDuty = await startPagerDutyServer();
  const teams = await startTeamsWorkflowServer();
  const delivered = () => smtp.messages.length + slack.accepted().length;
  const resetSinks = () => {
    smtp.messages.length = 0;
    slack.requests.length = 0;
  };
  const clearRequestCache = () => direct('POST', `/${INDEX_PATTERN}/_cache/clear?request=true`);
  /** Waits (up to 30 s) until the cluster runs no merge, e.g. after ElastAlert2's writeback was emptied, then 1 s more. */
  const settle = async () => {
    for (const until = Date.now() + 30_000; Date.now() < until; ) {
      const stats = (await direct('GET', '/_nodes/stats/indices/merges')).json as { nodes?: Record<string, { indices?: { merges?: { current?: number } } }> };
      if (Object.values(stats.nodes ?? {}).every((n) => !n.indices?.merges?.current)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1000));
  };

  if (py) {
    // ElastAlert2's writeback indices, created once on the bench engine (directly, not through the proxy).
    const cfg = join(work, 'create-index.yaml');
    writeFileSync(cfg, stringify({ es_host: '127.0.0.1', es_port: opts.port, writeback_index: WRITEBACK }));
    const r = capture(join(VENV, 'bin', 'elastalert-create-index'), ['--config', cfg], work);
    log(`bench: elastalert-create-index: ${r.split('\n').pop()}`);
  }

  const results: BenchResults = {
    startedAt: iso(started),
    options: { sizes: opts.sizes, runs: opts.runs, eaRuns: opts.eaRuns, port: opts.port },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: totalmem() / 2 ** 30,
      os: `${platform()} ${release()} ${arch()}`,
      loadAvgAtStart: loadavg().map((x) => Number(x.toFixed(2))),
    },
    versions: {
      node: process.version,
      alertcronCommit: capture('git', ['rev-parse', '--short=12', 'HEAD']),
      alertcronDirty: capture('git', ['status', '--porcelain', '--', 'src', 'bin', 'package.json']) !== '',
      opensearch: `${clusterInfo.version?.distribution ?? 'elasticsearch'} ${clusterInfo.version?.number ?? '?'}`,
      elastalert2: py?.elastalert2,
      elasticsearchPy: py?.elasticsearchPy,
      python: py?.pythonVersion,
    },
    data: { index: INDEX, docs: seeded.docs, sizeBytes: seeded.sizeBytes, seededNow: seeded.seededNow, seedSeconds: seeded.seconds, quietWindowDocs: quietDocs, incidentWindowDocs: incidentDocs, quietNow: iso(QUIET_NOW), incidentNow: iso(INCIDENT_NOW) },
    floor: {},
    sizes: [],
    checks: [],
  };

  /** The multi-host scenario (issue 28): hosts sharing the alerts through the cluster state. */
  const measureManyHosts = async () => {
    await settle();
    results.hosts = await measureHosts(
      { engineUrl: engine.url, python, bin: BIN, baseEnv: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work }, work, smtpPort: smtp.port, slackUrl: slack.url, clearRequestCache, log, keep: opts.keep },
      opts.hosts,
      { alertcronCommit: `${results.versions.alertcronCommit}${results.versions.alertcronDirty ? ' (with uncommitted changes in src/)' : ''}`, command: `node dist/test/bench/bench.js ${process.argv.slice(2).join(' ')}`.trim() },
    );
  };

  /** The report as it was before this run: its hosts' section is carried over when this run does not measure them. */
  const previousReport = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : undefined;
  try {
    if (opts.hostsOnly) {
      // Only the hosts' section: the rest of the report stays as the last full bench wrote it.
      await measureManyHosts();
      spliceHostsReport(opts.out, results.hosts!);
      return;
    }
    const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work };
    // ---- the floor: a node process doing nothing, and one doing one _msearch of one search
    const floorDir = join(work, 'floor');
    mkdirSync(floorDir);
    if (opts.only.has('floor')) {
    // warm the cluster and the proxy's connection up a little (not measured)
    for (let r = 0; r < 3; r++) await measured(python, [process.execPath, join(REPO_ROOT, 'dist', 'test', 'bench', 'floor.js'), proxy.url, INDEX_PATTERN, String(QUIET_NOW - WINDOW_MS), String(QUIET_NOW)], floorDir, baseEnv, join(floorDir, `warm-${r}`));
    const nodeNothing: Sample[] = [];
    const nodeMsearch: Sample[] = [];
    const pythonNothing: Sample[] = [];
    // the floor is cheap and its spread matters for the "within 2x" target: twice the runs
    for (let r = 0; r < 2 * opts.runs; r++) {
      nodeNothing.push(await measured(python, [process.execPath, '-e', '0'], floorDir, baseEnv, join(floorDir, `node-${r}`)));
      await clearRequestCache();
      const s = await measured(python, [process.execPath, join(REPO_ROOT, 'dist', 'test', 'bench', 'floor.js'), proxy.url, INDEX_PATTERN, String(QUIET_NOW - WINDOW_MS), String(QUIET_NOW)], floorDir, baseEnv, join(floorDir, `msearch-${r}`), proxy);
      s.extra = { rtt_ms: (JSON.parse(s.stdout.trim() || '{}') as { rtt_ms?: number }).rtt_ms ?? NaN };
      nodeMsearch.push(s);
      if (py) pythonNothing.push(await measured(python, [python, '-c', 'pass'], floorDir, baseEnv, join(floorDir, `python-${r}`)));
    }
    results.floor = { nodeNothing: summarise(nodeNothing), nodeMsearch: summarise(nodeMsearch), pythonNothing: pythonNothing.length ? summarise(pythonNothing) : undefined };
    log(`bench: floor: node -e 0 ${results.floor.nodeNothing!.wall_s.toFixed(3)} s; node + one _msearch ${results.floor.nodeMsearch!.wall_s.toFixed(3)} s`);
    }

    /**
     * Measures one set of n alerts: today's kinds (count, any, buckets), or the mix of the ElastAlert2 rule types,
     * whose notices are not worked out in advance (each run of a scenario must deliver the same number).
     */
    const measureSet = async (n: number, set: 'kinds' | 'mix'): Promise<SizeResult> => {
      const mix = set === 'mix';
      const tag = mix ? `mix N=${n}` : `N=${n}`;
      const expected = mix ? undefined : matchingInIncident(n);
      const eaRuns = opts.eaRuns ?? opts.runs;
      const size: SizeResult = { n, expectedMatches: expected, runs: opts.runs, eaRuns, loadAvg: loadavg().map((x) => Number(x.toFixed(2))) };
      log(mix ? `\nbench: mix of the ElastAlert2 rule types, N = ${n}` : `\nbench: N = ${n} (${expected} alerts match in the incident minute)`);

      // ---- alertcron
      const projectOptions = {
        esUrl: proxy.url,
        smtpPort: smtp.port,
        slackUrl: slack.url,
        extraConfig: {
          // ingest_delay 0s: the same window as ElastAlert2 (up to now), and the same workload as earlier reports.
          ...benchSettings(proxy.url),
          state: { lock_wait: '10s' },
        },
      };
      const project = createProject(projectOptions);
      // The same project with query fusion off (every alert's search on its own), compared side by side.
      const withSearch = (elasticsearch: Record<string, unknown>) => stringify(defaultConfig({ ...projectOptions, extraConfig: { ...projectOptions.extraConfig, elasticsearch: { url: proxy.url, timeout: '30s', ...elasticsearch } } }));
      writeFileSync(join(project.dir, UNFUSED_CONFIG), withSearch({ fuse_alerts: 1 }));
      // Two requests in flight: fusion off keeps its 200 searches a request; fused, the ceil(n/100) fused searches
      // are cut into two requests.
      writeFileSync(join(project.dir, UNFUSED_C2_CONFIG), withSearch({ fuse_alerts: 1, msearch_concurrency: 2 }));
      writeFileSync(join(project.dir, FUSED_C2_CONFIG), withSearch({ msearch_concurrency: 2, msearch_chunk: Math.max(1, Math.ceil(Math.ceil(n / 100) / 2)) }));
      size.project = project.dir;
      if (mix) writeMixAlerts(project, n);
      else writeAlertcronAlerts(project, n);
      const env = (now?: number) => ({ ...baseEnv, XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ...(now === undefined ? {} : { ALERTCRON_NOW: iso(now) }) });
      const outDir = join(work, `${mix ? 'mix-' : ''}n${n}`);
      mkdirSync(outDir);
      const alertcron = (args: string[], now: number | undefined, label: string, nodeArgs: string[] = [], bin = BIN) =>
        measured(python, [process.execPath, ...nodeArgs, bin, ...args], project.dir, env(now), join(outDir, label), proxy);

      await settle();
      // validate with an empty parse cache (as after editing every file), then with the cache a previous command left
      // (only the parse cache goes: the code cache of a build stays, as it does when alert files change)
      const dropParseCache = () => {
        const dir = join(project.dir, '.cache', 'alertcron');
        if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(join(dir, f), { force: true });
      };
      await alertcron(['validate'], undefined, 'validate-code-cache');
      const validateCold: Sample[] = [];
      for (let r = 0; r < opts.runs; r++) {
        dropParseCache();
        validateCold.push(await alertcron(['validate'], undefined, `validate-cold-${r}`));
      }
      const validate: Sample[] = [];
      for (let r = 0; r < opts.runs; r++) validate.push(await alertcron(['validate'], undefined, `validate-${r}`));
      size.validateCold = summarise(validateCold);
      size.validate = summarise(validate);
      const badValidate = [...validateCold, ...validate].filter((s) => s.code !== 0);
      if (badValidate.length) results.checks.push(`${tag}: alertcron validate exited ${badValidate[0]!.code}: ${badValidate[0]!.stdout}${badValidate[0]!.stderr}`.slice(0, 600));
      else results.checks.push(`${tag}: alertcron validate exited 0 in all ${validateCold.length + validate.length} runs`);
      log(`bench: alertcron validate: ${size.validateCold.wall_s.toFixed(3)} s without parse cache, ${size.validate.wall_s.toFixed(3)} s with, ${size.validate.rss_mb.toFixed(0)} MB`);

      for (const scenario of ['quiet', 'incident'] as const) {
        const now = scenario === 'quiet' ? QUIET_NOW : INCIDENT_NOW;
        // Steady state: a previous cron run one minute earlier left state/ (and the parse cache) behind.
        rmSync(join(project.dir, 'state'), { recursive: true, force: true });
        rmSync(join(project.dir, '.cache'), { recursive: true, force: true });
        const prime = await alertcron(['run'], now - WINDOW_MS, `${scenario}-prime`);
        if (prime.code !== 0) results.checks.push(`${tag} ${scenario}: the priming run exited ${prime.code}: ${prime.stderr.slice(0, 400)}`);
        await warmParseCache(alertcron, `${scenario}-prime`);
        // The parse cache belongs to one configuration file: warm it for the other configurations too, so that their
        // runs compare searching, not loading (validate fills it as a run would).
        if (scenario === 'quiet') for (const other of [UNFUSED_CONFIG, UNFUSED_C2_CONFIG, FUSED_C2_CONFIG]) await alertcron(['validate', '--config', other], undefined, `quiet-prime-cache-${other}`);
        const snap = join(outDir, `${scenario}-snapshot`);
        cpSync(join(project.dir, 'state'), join(snap, 'state'), { recursive: true });
        if (existsSync(join(project.dir, '.cache'))) cpSync(join(project.dir, '.cache'), join(snap, 'cache'), { recursive: true });
        const restore = () => {
          rmSync(join(project.dir, 'state'), { recursive: true, force: true });
          rmSync(join(project.dir, '.cache'), { recursive: true, force: true });
          cpSync(join(snap, 'state'), join(project.dir, 'state'), { recursive: true });
          if (existsSync(join(snap, 'cache'))) cpSync(join(snap, 'cache'), join(project.dir, '.cache'), { recursive: true });
        };
        await settle();
        const samples: Sample[] = [];
        for (let r = 0; r < opts.runs; r++) {
          restore();
          await clearRequestCache();
          resetSinks();
          const s = await alertcron(['run'], now, `${scenario}-${r}`);
          s.delivered = delivered();
          samples.push(s);
        }
        size[scenario === 'quiet' ? 'acQuiet' : 'acIncident'] = summarise(samples);
        // The stages, from runs of their own: a report of every alert printed would weigh on the measured runs.
        const stageRuns: (RunStages | undefined)[] = [];
        for (let r = 0; r < opts.stageRuns; r++) {
          restore();
          await clearRequestCache();
          resetSinks();
          const run = await alertcron(['run', '--json'], now, `${scenario}-stages-${r}`);
          stageRuns.push(stagesOf(run.stdout, run.wall_s));
        }
        (size.stages ??= {})[scenario] = summariseStages(stageRuns);
        const want = expected === undefined ? samples[0]!.delivered : scenario === 'quiet' ? 0 : expected;
        const bad = samples.filter((s) => s.code !== 0 || s.delivered !== want);
        if (bad.length) results.checks.push(`${tag} ${scenario}: alertcron exit codes ${samples.map((s) => s.code).join(',')}, delivered ${samples.map((s) => s.delivered).join(',')} (expected ${expected === undefined ? 'the same in each run' : want}); stderr: ${bad[0]!.stderr.slice(0, 400)}`);
        else results.checks.push(`${tag} ${scenario}: alertcron exited 0 and delivered ${want} notification(s) in each of ${samples.length} runs`);
        const sum = size[scenario === 'quiet' ? 'acQuiet' : 'acIncident']!;
        log(`bench: alertcron run (${scenario}): ${sum.wall_s.toFixed(3)} s, ${sum.rss_mb.toFixed(0)} MB, ${sum.requests} requests, delivered ${sum.delivered}`);

        if (scenario === 'quiet') {
          // The same run without the parse cache: the first run after the alert files changed.
          const cold: Sample[] = [];
          for (let r = 0; r < opts.runs; r++) {
            restore();
            dropParseCache();
            await clearRequestCache();
            cold.push(await alertcron(['run'], now, `quiet-cold-${r}`));
          }
          size.acQuietCold = summarise(cold);
          const coldStages: (RunStages | undefined)[] = [];
          for (let r = 0; r < opts.stageRuns; r++) {
            restore();
            dropParseCache();
            await clearRequestCache();
            const run = await alertcron(['run', '--json'], now, `quiet-cold-stages-${r}`);
            coldStages.push(stagesOf(run.stdout, run.wall_s));
          }
          size.stages!.quietCold = summariseStages(coldStages);
          if (cold.some((s) => s.code !== 0)) results.checks.push(`${tag} quiet without parse cache: alertcron exit codes ${cold.map((s) => s.code).join(',')}`);
          log(`bench: alertcron run (quiet, no parse cache): ${size.acQuietCold.wall_s.toFixed(3)} s, ${size.acQuietCold.rss_mb.toFixed(0)} MB`);

          // The same steady-state run with query fusion off, alternating with fused runs so both see the same load.
          const unfused: Sample[] = [];
          const fusedAgain: Sample[] = [];
          // From 1,000 alerts on (5+ requests unfused, 10+ fused searches), also two requests in flight at a time.
          const unfusedC2: Sample[] = [];
          const fusedC2: Sample[] = [];
          const series: [Sample[], string[], string][] = [[unfused, ['run', '--config', UNFUSED_CONFIG], 'unfused'], [fusedAgain, ['run'], 'fused']];
          if (!mix && n >= 1000) series.push([unfusedC2, ['run', '--config', UNFUSED_C2_CONFIG], 'unfused-c2'], [fusedC2, ['run', '--config', FUSED_C2_CONFIG], 'fused-c2']);
          for (let r = 0; r < opts.runs; r++) {
            for (const [samples, args, label] of series) {
              restore();
              await clearRequestCache();
              samples.push(await alertcron([...args], now, `quiet-${label}-${r}`));
            }
          }
          size.acQuietUnfused = summarise(unfused);
          size.acQuietFusedPaired = summarise(fusedAgain);
          if (unfusedC2.length) {
            size.acQuietUnfusedC2 = summarise(unfusedC2);
            size.acQuietFusedC2 = summarise(fusedC2);
            const bad = [...unfusedC2, ...fusedC2].filter((x) => x.code !== 0);
            if (bad.length) results.checks.push(`${tag} quiet with msearch_concurrency 2: alertcron exit code ${bad[0]!.code}: ${bad[0]!.stderr.slice(0, 300)}`);
            log(`bench: msearch_concurrency 2, fusion off / on: ${size.acQuietUnfusedC2.wall_s.toFixed(3)} s / ${size.acQuietFusedC2.wall_s.toFixed(3)} s`);
          }
          if (unfused.some((s) => s.code !== 0)) results.checks.push(`${tag} quiet with fusion off: alertcron exit codes ${unfused.map((s) => s.code).join(',')}: ${unfused.find((s) => s.code !== 0)!.stderr.slice(0, 300)}`);
          log(`bench: alertcron run (quiet, fusion off / on, alternating): ${size.acQuietUnfused.wall_s.toFixed(3)} s / ${size.acQuietFusedPaired.wall_s.toFixed(3)} s; ${size.acQuietUnfused.requests} / ${size.acQuietFusedPaired.requests} requests; cluster in flight ${size.acQuietUnfused.clusterMs.toFixed(0)} / ${size.acQuietFusedPaired.clusterMs.toFixed(0)} ms`);
        }

        if (!mix && opts.profile && n === opts.profileSize) {
          restore();
          await clearRequestCache();
          resetSinks();
          const profDir = join(outDir, `cpu-profile-${scenario}`);
          const p = await alertcron(['run'], now, `${scenario}-profile`, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=100'], UNBUNDLED);
          const file = existsSync(profDir) ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
          if (file) {
            (results.profiles ??= []).push({ n, scenario, wall_s: p.wall_s, clusterMs: p.busyMs, requests: p.requests, delivered: delivered(), summary: summariseProfile(join(profDir, file), 15) });
          } else results.checks.push(`${tag} ${scenario}: no CPU profile was written (exit ${p.code}: ${p.stderr.slice(0, 200)})`);
        }
      }
      if (!opts.keep) project.cleanup();

      // ---- the state backends side by side: the file, and an index of the same cluster (through the proxy)
      if (!mix && opts.backendSizes.includes(n)) {
        for (const backend of ['file', 'cluster'] as const) {
          const stateIndex = 'bench-alertcron-state';
          // The size's project settings, with the state in the chosen backend.
          const bp = createProject({ ...projectOptions, extraConfig: { ...projectOptions.extraConfig, state: { lock_wait: '10s', backend, index: stateIndex, host_id: 'bench' } } });
          writeAlertcronAlerts(bp, n);
          const benv = (now: number) => ({ ...baseEnv, XDG_CACHE_HOME: join(bp.dir, '.cache'), ...bp.env, ALERTCRON_NOW: iso(now) });
          const bOut = join(outDir, `backend-${backend}`);
          mkdirSync(bOut);
          for (const scenario of ['quiet', 'incident'] as const) {
            const now = scenario === 'quiet' ? QUIET_NOW : INCIDENT_NOW;
            const samples: Sample[] = [];
            for (let r = 0; r < opts.runs; r++) {
              rmSync(join(bp.dir, 'state'), { recursive: true, force: true });
              await direct('DELETE', `/${stateIndex}?ignore_unavailable=true`);
              await measured(python, [process.execPath, BIN, 'run'], bp.dir, benv(now - WINDOW_MS), join(bOut, `${scenario}-prime-${r}`), proxy);
              await clearRequestCache();
              resetSinks();
              const sample = await measured(python, [process.execPath, BIN, 'run', '--json'], bp.dir, benv(now), join(bOut, `${scenario}-${r}`), proxy);
              sample.delivered = delivered();
              let stats: { requests: number; writes: number; docs?: number } = { requests: NaN, writes: NaN };
              try {
                stats = (JSON.parse(sample.stdout) as { stateRequests?: typeof stats }).stateRequests ?? stats;
              } catch {
                /* reported as a check below */
              }
              sample.extra = { state_requests: stats.requests, state_writes: stats.writes, ...(stats.docs === undefined ? {} : { state_docs: stats.docs }) };
              samples.push(sample);
            }
            const sum = summarise(samples);
            (results.backends ??= []).push({ n, backend, scenario, wall: sum, clusterRequests: sum.requests, stateRequests: sum.extra?.state_requests ?? NaN, stateWrites: sum.extra?.state_writes ?? NaN, ...(sum.extra?.state_docs === undefined ? {} : { stateDocs: sum.extra.state_docs }) });
            const want = scenario === 'quiet' ? 0 : expected;
            const bad = samples.filter((x) => x.code !== 0 || x.delivered !== want);
            results.checks.push(bad.length ? `N=${n} ${scenario} state backend ${backend}: exit codes ${samples.map((x) => x.code).join(',')}, delivered ${samples.map((x) => x.delivered).join(',')} (expected ${want}); stderr: ${bad[0]!.stderr.slice(0, 300)}` : `N=${n} ${scenario} state backend ${backend}: alertcron exited 0 and delivered ${want} notification(s) in each of ${samples.length} runs`);
            log(`bench: state backend ${backend} (${scenario}): ${sum.wall_s.toFixed(3)} s, ${sum.requests} cluster requests, state requests ${sum.extra?.state_requests}, state writes ${sum.extra?.state_writes}, documents written ${sum.extra?.state_docs ?? '–'}`);
          }
          await direct('DELETE', `/${stateIndex}?ignore_unavailable=true`);
          if (!opts.keep) bp.cleanup();
        }
      }

      // ---- ElastAlert2
      if (py) {
        const eaDir = join(work, `${mix ? 'mix-' : ''}ea-${n}`);
        const config = (mix ? writeElastAlertMixRules : writeElastAlertRules)(eaDir, n, { esHost: '127.0.0.1', esPort: proxy.port, writebackIndex: WRITEBACK, smtpPort: smtp.port, slackUrl: slack.url });
        for (const scenario of ['quiet', 'incident'] as const) {
          const now = scenario === 'quiet' ? QUIET_NOW : INCIDENT_NOW;
          const samples: Sample[] = [];
          for (let r = 0; r < eaRuns; r++) {
            // Every run is the same steady-state cycle: no silences or earlier alerts in the writeback index.
            await direct('POST', `/${WRITEBACK}*/_delete_by_query?refresh=true&conflicts=proceed`, { query: { match_all: {} } });
            await settle();
            await clearRequestCache();
            resetSinks();
            const s = await measured(
              python,
              [python, join(BENCH_DIR, 'ea_driver.py'), '--config', config, '--start', iso(now - WINDOW_MS), '--end', iso(now)],
              eaDir,
              baseEnv,
              join(outDir, `ea-${scenario}-${r}`),
              proxy,
            );
            s.delivered = delivered();
            try {
              s.extra = JSON.parse(s.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
            } catch {
              s.extra = {};
            }
            await direct('POST', `/${WRITEBACK}*/_refresh`);
            const errors = (await direct('GET', `/${WRITEBACK}_error/_count`)).json.count ?? 0;
            const status = (await direct('GET', `/${WRITEBACK}_status/_count`)).json.count ?? 0;
            s.extra = { ...s.extra, writeback_errors: errors, status_docs: status };
            samples.push(s);
            log(`bench: ElastAlert2 (${scenario}) run ${r + 1}/${eaRuns}: ${s.wall_s.toFixed(2)} s, ${(s.max_rss_kib / 1024).toFixed(0)} MiB, ${s.requests} requests, delivered ${s.delivered}, writeback errors ${errors}`);
          }
          size[scenario === 'quiet' ? 'eaQuiet' : 'eaIncident'] = summarise(samples);
          const want = expected === undefined ? samples[0]!.delivered : scenario === 'quiet' ? 0 : expected;
          const bad = samples.filter((s) => s.code !== 0 || s.delivered !== want || (s.extra?.writeback_errors as number) > 0 || s.extra?.rules !== n);
          if (bad.length) results.checks.push(`${tag} ${scenario}: ElastAlert2 exit codes ${samples.map((s) => s.code).join(',')}, rules ${samples.map((s) => s.extra?.rules).join(',')}, delivered ${samples.map((s) => s.delivered).join(',')} (expected ${want}), writeback errors ${samples.map((s) => s.extra?.writeback_errors).join(',')}; stderr: ${bad[0]!.stderr.slice(-400)}`);
          else results.checks.push(`${tag} ${scenario}: ElastAlert2 exited 0, ran ${n} rules and delivered ${want} notification(s) in each of ${samples.length} runs, no writeback errors`);
        }
      }
      return size;
    };

    if (opts.only.has('sizes')) {
      for (const n of opts.sizes) {
        results.sizes.push(await measureSet(n, 'kinds'));
        writeReport(opts.out, results, commands(opts));
      }
    }
    const mixSize = opts.mixSize ?? defaultScenarioSize(opts.sizes);
    if (mixSize > 0 && opts.only.has('mix')) {
      results.mix = await measureSet(mixSize, 'mix');
      writeReport(opts.out, results, commands(opts));
    }
    /**
     * An extra scenario's project at the incident minute's settings: the default channels plus `channels`, `defaults`
     * over the usual ones, `env` added to its environment; one measured `alertcron` run in it (output under `label`).
     */
    const scenarioProject = async (label: string, channels: Record<string, unknown>, defaults: Record<string, unknown> = {}, env: Record<string, string> = {}) => {
      const base = { esUrl: proxy.url, smtpPort: smtp.port, slackUrl: slack.url };
      const project = createProject({
        ...base,
        extraConfig: {
          elasticsearch: { url: proxy.url, timeout: '30s' },
          channels: { ...(defaultConfig(base).channels as object), ...channels },
          defaults: { every: '1m', first_lookback: '1m', throttle: '30m', ingest_delay: '0s', ...defaults },
          delivery: { concurrency: 8, deadline: '40s', attempt_timeout: '10s', retries: 1 },
          state: { lock_wait: '10s' },
        },
      });
      Object.assign(project.env, env);
      const outDir = join(work, label);
      mkdirSync(outDir);
      const runEnv = (now?: number) => ({ ...baseEnv, XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ...(now === undefined ? {} : { ALERTCRON_NOW: iso(now) }) });
      await settle();
      const alertcron = (args: string[], now: number | undefined, run: string) => measured(python, [process.execPath, BIN, ...args], project.dir, runEnv(now), join(outDir, run), proxy);
      return { project, alertcron, loadAvg: loadavg().map((x) => Number(x.toFixed(2))) };
    };
    const digestSize = opts.digestSize ?? defaultScenarioSize(opts.sizes);
    if (digestSize > 0 && opts.only.has('digest')) {
      // ---- the incident minute with a digest channel beside email and Slack, and the run that sends the digests
      const n = digestSize;
      const expectedMatches = matchingInIncident(n);
      log(`\nbench: the incident minute with a digest channel, N = ${n} (${expectedMatches} digests an hour later)`);
      // max_catchup 1m: the run an hour later searches its own minute, as the cron run of that minute would.
      const { project, alertcron, loadAvg } = await scenarioProject(`digest-n${n}`, { [DIGEST_CHANNEL]: digestChannel(smtp.port) }, { max_catchup: '1m' });
      writeAlertcronAlerts(project, n, { digest: DIGEST_CHANNEL });
      const measuredDigest = await measureDigest({
        n,
        expectedMatches,
        runs: opts.runs,
        project,
        alertcron,
        fresh: async () => {
          await clearRequestCache();
          resetSinks();
        },
        smtp,
        delivered,
      });
      results.digest = { ...measuredDigest.result, loadAvg };
      results.checks.push(...measuredDigest.checks);
      const d = results.digest;
      log(d.skipped ? `bench: digest scenario not measured: ${d.skipped}` : `bench: incident minute with the digest channel ${d.incident!.wall_s.toFixed(3)} s (delivered ${d.incident!.delivered}); the digest run ${d.send!.wall_s.toFixed(3)} s (delivered ${d.send!.delivered})`);
      if (!opts.keep) project.cleanup();
      writeReport(opts.out, results, commands(opts));
    }
    const pagingSize = opts.pagingSize ?? defaultScenarioSize(opts.sizes);
    if (pagingSize > 0 && opts.only.has('paging')) {
      // ---- the incident minute with PagerDuty and Teams beside email and Slack: every alert notifies all four
      const n = pagingSize;
      const expectedMatches = matchingInIncident(n);
      log(`\nbench: the incident minute with PagerDuty and Teams beside email and Slack, N = ${n} (${expectedMatches} matching alerts, 4 deliveries each)`);
      const { project, alertcron, loadAvg } = await scenarioProject(`paging-n${n}`, pagingChannels(pagerDuty), {}, pagingEnv(pagerDuty, teams));
      writeAlertcronAlerts(project, n, { notify: PAGING_NOTIFY });
      const measuredPaging = await measurePaging({
        n,
        expectedMatches,
        runs: opts.runs,
        project,
        alertcron,
        fresh: async () => {
          await clearRequestCache();
          resetSinks();
          pagerDuty.alerts.length = 0;
          pagerDuty.requests.length = 0;
          teams.posted.length = 0;
          teams.failedRuns.length = 0;
          teams.recorder.requests.length = 0;
        },
        deliveries: () => ({ email: smtp.messages.length, slack: slack.accepted().length, pagerduty: pagerDutyEvents(pagerDuty), teams: teams.posted.length }),
      });
      results.paging = { ...measuredPaging.result, loadAvg };
      results.checks.push(...measuredPaging.checks);
      if (teams.failedRuns.length) results.checks.push(`PagerDuty and Teams N=${n}: the Teams workflow could not post ${teams.failedRuns.length} card(s) in the last run: ${teams.failedRuns[0]!.slice(0, 200)}`);
      const p = results.paging;
      log(p.skipped ? `bench: PagerDuty and Teams scenario not measured: ${p.skipped}` : `bench: incident minute with PagerDuty and Teams ${p.incident!.wall_s.toFixed(3)} s, ${p.incident!.rss_mb.toFixed(0)} MB (delivered ${p.incident!.delivered}: email/Slack/PagerDuty/Teams ${p.byChannel!.email}/${p.byChannel!.slack}/${p.byChannel!.pagerduty}/${p.byChannel!.teams})`);
      if (!opts.keep) project.cleanup();
      writeReport(opts.out, results, commands(opts));
    }
    const sigmaSize = opts.sigmaSize ?? defaultScenarioSize(opts.sizes);
    if (sigmaSize > 0 && opts.only.has('sigma')) {
      // ---- N Sigma alerts: compiled in-process, validate and run on a cold and a warm parse cache; case-insensitive wildcards
      const rules = materialiseSigmaRules({ rulesDir: opts.sigmaRules, repo: opts.sigmaRepo }, work);
      log(`\nbench: Sigma alerts, N = ${sigmaSize}, from ${rules.source} (${rules.files.length} rule files)`);
      const first = compileInProcess(rules.files.slice(0, sigmaSize));
      const all = compileInProcess(rules.files);
      const again = compileInProcess(rules.files.slice(0, sigmaSize));
      const usable = all.compiled.slice(0, sigmaSize);
      const sigma: SigmaBenchResult = { n: usable.length, source: rules.source, available: rules.files.length, refused: all.refused.length, refusedExamples: all.refused.slice(0, 5), inProcessFirstMs: first.ms, inProcessAgainMs: again.ms, inProcessFirstCpuMs: first.cpuMs, inProcessAgainCpuMs: again.cpuMs };
      log(`bench: Sigma in-process compile of ${Math.min(sigmaSize, rules.files.length)} rules: ${first.ms.toFixed(0)} ms first (CPU ${first.cpuMs.toFixed(0)} ms), ${again.ms.toFixed(0)} ms again (CPU ${again.cpuMs.toFixed(0)} ms); ${sigma.refused} of ${sigma.available} refused`);
      const { project, alertcron } = await scenarioProject(`sigma-n${usable.length}`, {});
      const cli = await measureSigmaCli({ n: usable.length, runs: opts.runs, project, cacheHome: join(project.dir, '.cache'), alertcron }, usable);
      results.checks.push(...cli.checks);
      Object.assign(sigma, { validateCold: cli.validateCold, validateWarm: cli.validateWarm, runCold: cli.runCold, runWarm: cli.runWarm, skipped: cli.skipped });
      log(cli.skipped ? `bench: Sigma CLI part not measured: ${cli.skipped}` : `bench: Sigma validate cold ${cli.validateCold!.wall_s.toFixed(3)} s, warm ${cli.validateWarm!.wall_s.toFixed(3)} s; run cold ${cli.runCold!.wall_s.toFixed(3)} s, warm ${cli.runWarm!.wall_s.toFixed(3)} s`);
      if (!opts.keep) project.cleanup();
      if (opts.wildcardDocs > 0) {
        log(`bench: case-insensitive wildcards on ${opts.wildcardDocs.toLocaleString('en-US')} keyword documents`);
        sigma.wildcard = await measureWildcardCost(engine.url, { docs: opts.wildcardDocs, runs: Math.max(opts.runs, 10), keep: opts.keep }, log);
      }
      results.sigma = sigma;
      writeReport(opts.out, results, commands(opts));
    }
    if (opts.stateKeys > 0 && opts.only.has('growth')) {
      // ---- a grown state: the same small run with a state of many keys and with none
      log(`\nbench: state growth: ${opts.stateAlerts} alerts, a state of ${opts.stateKeys.toLocaleString('en-US')} keys and one of none`);
      const project = createProject({ esUrl: proxy.url, smtpPort: smtp.port, slackUrl: slack.url, extraConfig: { elasticsearch: { url: proxy.url, timeout: '30s' }, defaults: { every: '1m', first_lookback: '1m', throttle: '30m', ingest_delay: '0s' }, state: { lock_wait: '10s' } } });
      const outDir = join(work, 'state-growth');
      mkdirSync(outDir);
      const env = (now: number | undefined) => ({ ...baseEnv, XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ...(now === undefined ? {} : { ALERTCRON_NOW: iso(now) }) });
      const growth = await measureStateGrowth(project, opts.stateAlerts, opts.stateKeys, {
        runs: opts.runs,
        alertcron: (args, now, label) => measured(python, [process.execPath, BIN, ...args], project.dir, env(now), join(outDir, label), proxy),
        before: async () => void (await clearRequestCache()),
      });
      results.stateGrowth = growth;
      results.checks.push(...growth.checks);
      log(`bench: state growth: ${growth.withKeys.wall_s.toFixed(3)} s / ${growth.withKeys.rss_mb.toFixed(0)} MB with the keys, ${growth.withoutKeys.wall_s.toFixed(3)} s / ${growth.withoutKeys.rss_mb.toFixed(0)} MB without`);
      if (!opts.keep) project.cleanup();
      writeReport(opts.out, results, commands(opts));
    }
    if (opts.receipts.length && opts.only.has('receipts')) {
      // ---- a week of receipts: the same quiet run with a state holding them and one holding none
      log(`\nbench: receipts: ${opts.receiptsAlerts} alerts, states of ${opts.receipts.map((x) => x.toLocaleString('en-US')).join(' and ')} receipts and one of none`);
      const { project, alertcron, loadAvg } = await scenarioProject('receipts', {});
      const measuredReceipts = await measureReceipts(project, opts.receiptsAlerts, opts.receipts, { runs: opts.runs, alertcron, before: async () => { await clearRequestCache(); resetSinks(); }, delivered });
      results.receipts = { ...measuredReceipts, loadAvg };
      results.checks.push(...measuredReceipts.checks);
      for (const v of measuredReceipts.variants) log(`bench: receipts ${v.receipts.toLocaleString('en-US')}: ${v.runs.wall_s.toFixed(3)} s, ${v.runs.cpu_s.toFixed(3)} s CPU, ${v.runs.rss_mb.toFixed(0)} MB (first run on the written file ${v.first.wall_s.toFixed(3)} s)`);
      if (!opts.keep) project.cleanup();
      writeReport(opts.out, results, commands(opts));
    }
    if (opts.firingKeys > 0 && opts.only.has('keys')) {
      // ---- many keys: one alert firing in the incident minute with a history of many keys, and with none
      log(`\nbench: firing keys: one alert firing, with ${opts.firingKeys.toLocaleString('en-US')} keys and with none`);
      const { project, alertcron, loadAvg } = await scenarioProject('firing-keys', {});
      const measuredKeys = await measureFiringKeys(project, opts.firingKeys, { runs: opts.runs, alertcron, before: async () => { await clearRequestCache(); resetSinks(); }, delivered });
      results.firingKeys = { ...measuredKeys, loadAvg };
      results.checks.push(...measuredKeys.checks);
      log(`bench: firing keys: ${measuredKeys.withKeys.runs.wall_s.toFixed(3)} s / ${measuredKeys.withKeys.runs.rss_mb.toFixed(0)} MB with the keys, ${measuredKeys.withoutKeys.runs.wall_s.toFixed(3)} s / ${measuredKeys.withoutKeys.runs.rss_mb.toFixed(0)} MB without`);
      if (!opts.keep) project.cleanup();
      writeReport(opts.out, results, commands(opts));
    }
    if (opts.bigSize > 0 && opts.only.has('big')) {
      // ---- 100,000 alerts on one host: the quiet and the incident minute (alertcron only)
      const n = opts.bigSize;
      const expectedMatches = matchingInIncident(n);
      log(`\nbench: big size, N = ${n.toLocaleString('en-US')} alerts on one host (${expectedMatches} match in the incident minute); ElastAlert2 not measured at this size`);
      const { project, alertcron, loadAvg } = await scenarioProject(`big-n${n}`, {});
      writeAlertcronAlerts(project, n);
      const runs = opts.bigRuns ?? Math.min(opts.runs, 3);
      const measuredBig = await measureBig({ n, expectedMatches, runs, stageRuns: opts.stageRuns, project, alertcron, fresh: async () => { await clearRequestCache(); resetSinks(); }, delivered });
      results.big = { ...measuredBig.result, loadAvg };
      results.checks.push(...measuredBig.checks);
      const b = results.big;
      log(b.skipped ? `bench: big size not measured: ${b.skipped}` : `bench: big size: quiet ${b.quiet!.wall_s.toFixed(3)} s / ${b.quiet!.rss_mb.toFixed(0)} MB, ${b.quiet!.requests} requests; incident ${b.incident!.wall_s.toFixed(3)} s / ${b.incident!.rss_mb.toFixed(0)} MB, delivered ${b.incident!.delivered}`);
      if (!opts.keep) project.cleanup();
      writeReport(opts.out, results, commands(opts));
    }
    if (opts.hosts.hosts.length && opts.only.has('hosts')) {
      await measureManyHosts();
      writeReport(opts.out, results, commands(opts));
    }
  } catch (error) {
    results.error = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    results.finishedAt = iso(Date.now());
    if (!opts.hostsOnly) {
      writeReport(opts.out, results, commands(opts));
      // Hosts not measured here (a long scenario: --no-hosts): the earlier run's section stays, marked as carried over.
      if (!results.hosts && previousReport !== undefined && carryHostsReport(opts.out, previousReport)) log(`bench: hosts not measured; their section carried over from the report this run replaced`);
    }
    else if (results.error && results.hosts === undefined) log(`bench: --hosts-only failed; ${relative(REPO_ROOT, opts.out)} left as it was`);
    await proxy.close();
    await smtp.close();
    await slack.close();
    await pagerDuty.close();
    await teams.recorder.close();
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    await engine.stop();
  }
  log(`\nbench: done in ${((Date.now() - started) / 60000).toFixed(1)} min; wrote ${relative(REPO_ROOT, opts.out)}`);
  for (const c of results.checks) if (!/exited 0 and|exited 0, ran|exited 0 in all/.test(c)) log(`bench: CHECK: ${c}`);
}

function commands(opts: Options): string[] {
  const args = process.argv.slice(2).join(' ');
  return [
    'npm ci                                   # node deps; Java 17 + Maven for the engine, Python 3.12+ for ElastAlert2',
    'npm run bench                            # = tsc -p . && node dist/test/bench/bench.js (all sizes, 5 runs)',
    'node dist/test/bench/bench.js --sizes 10,100 --runs 3   # a quick iteration',
    ...(args ? [`node dist/test/bench/bench.js ${args}   # the command that wrote this report`] : []),
  ];
}

main().catch((error: unknown) => {
  log(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});

/** How many of the first n alerts match in the incident minute. */
function matchingInIncident(n: number): number {
  return Array.from({ length: n }, (_, i) => i).filter(alertMatchesInIncident).length;
}

/** The size of an extra scenario (mix, digest, paging) unless its option sets one: 1,000 when measured, else the largest size. */
function defaultScenarioSize(sizes: readonly number[]): number {
  return sizes.includes(1000) ? 1000 : Math.max(...sizes);
}
