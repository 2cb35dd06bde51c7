// The multi-host scenario (issue 28 point 5): H deployments of alertcron on this machine, each a folder of its own
// with its own state.host_id, share one alerts folder (symlinked) and one cluster state index. Their runs of one
// minute start together, minute after minute of alert time (ALERTCRON_NOW), each through a counting proxy of its
// own so that every host's requests are counted apart. Measured per host: run time, CPU, requests, what its
// `run --json` says of the state (stateRequests: requests, write requests, documents written) and the alerts it
// evaluated; and the takeover time after a SIGKILL of one host in the middle of its run. It reports only.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { leaseNames } from '../../src/model/partition.js';
import { createProject, type Project } from '../support/project.js';
import { writeAlertcronAlerts } from './alerts.js';
import { QUIET_NOW, WINDOW_MS } from './data.js';
import { startCountingProxy, type CountingProxy } from './proxy.js';
import { benchSettings, measured, median, type Sample } from './run.js';

/** What the scenario needs from the bench around it. */
export interface HostsBench {
  /** The engine itself (not through a proxy): the state index is reset and the leases are polled through it. */
  engineUrl: string;
  python: string;
  /** bin/alertcron.js of the copy measured. */
  bin: string;
  baseEnv: Record<string, string>;
  /** A folder for the runs' output. */
  work: string;
  smtpPort: number;
  slackUrl: string;
  clearRequestCache(): Promise<unknown>;
  log(line: string): void;
  keep?: boolean;
  /** The shared state index (default bench-hosts-state); deleted before and after each case. */
  stateIndex?: string;
}

/** State settings of a takeover case. */
export interface LeaseSettings {
  partition_lease: string;
  host_ttl: string;
  max_clock_skew: string;
  /** The cluster backend's run lease of today's layout (and the run deadline the validator weighs it against). */
  lease_ttl?: string;
  deadline?: string;
}

/** One host's run in one minute. */
export interface HostRun {
  host: string;
  wall_s: number;
  cpu_s: number;
  rss_mb: number;
  code: number;
  /** All cluster requests of the run (searches and state), at this host's proxy. */
  requests: number;
  /** Wall time with a cluster request of this host in flight (ms). */
  busyMs: number;
  byKind: Record<string, number>;
  /** From `run --json` stateRequests (NaN when the run printed none). */
  stateRequests: number;
  stateWrites: number;
  stateDocs: number;
  /** Documents written as the proxy saw them: the run's report plus what comes after it (lease release, heartbeat). */
  docsWritten: number;
  /** The same by kind of document (`part`, `host`, `alert`, `pending`, `claim`, `sent`, `op`...; deletes as `<kind> delete`). */
  docsByKind: Record<string, number>;
  /** Alerts the run evaluated (status ok or error, not "not-due"). */
  evaluated: number;
  /** Partition leases the run held (undefined before the partitioned store). */
  held?: number;
  coordinator?: boolean;
  took?: number;
}

/** One host's medians over the measured minutes (the slowest run beside the median, every exit code). */
export interface HostSummary extends Omit<HostRun, 'code' | 'coordinator' | 'took'> {
  wall_max_s: number;
  codes: number[];
}

/** H hosts sharing N alerts for a few minutes. */
export interface HostsCase {
  hosts: number;
  alerts: number;
  /** Minutes measured (after the warm-up minutes). */
  minutes: number;
  warmup: number;
  loadAvg: number[];
  perHost: HostSummary[];
  /** Medians over the measured minutes of the sums over the hosts. */
  perMinute: { requests: number; stateRequests: number; stateWrites: number; stateDocs: number; docsWritten: number; docsByKind?: Record<string, number>; evaluated: number; slowest_s: number };
  /** Every measured minute: alerts evaluated by two hosts, alerts evaluated by none. */
  twice: number[];
  missed: number[];
  checks: string[];
}

/** The wall time from a SIGKILL of one host mid-run until other hosts' runs hold every lease it held. */
export interface TakeoverResult {
  label: string;
  settings: LeaseSettings;
  /** Real seconds between two runs of a surviving host (cron: 60). */
  periodS: number;
  hosts: number;
  alerts: number;
  victim?: string;
  /** The leases the victim held when it was killed, and how far into its run it was. */
  leases?: string[];
  killedAfterS?: number;
  /** Seconds from the kill until every one of those leases had a new holder (undefined: not within the wait). */
  takeoverS?: number;
  waitedS: number;
  /** Who took them, by host. */
  takenBy?: Record<string, number>;
  /** The survivors' runs after the kill: when each started (s after the kill) and how many leases it took over. */
  ticks: { atS: number; took: number; codes: number[] }[];
  note?: string;
}

/** Everything the multi-host scenario measured. */
export interface HostsResult {
  startedAt: string;
  alertcronCommit: string;
  cases: HostsCase[];
  /** The same hosts at a smaller alert count: state writes per minute against alerts. */
  scale: HostsCase[];
  /** The issue's target: 4 hosts × 40,000 alerts (undefined: not measured, see targetSkipped). */
  target?: HostsCase;
  targetSkipped?: string;
  takeovers: TakeoverResult[];
  command: string;
  checks: string[];
}

/** One deployment: its folder and config, its own proxy. */
interface Deployment {
  id: string;
  project: Project;
  proxy: CountingProxy;
  env(now: number): Record<string, string>;
}

const stateIndex = (bench: HostsBench) => bench.stateIndex ?? 'bench-hosts-state';
const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function engine(bench: HostsBench, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${bench.engineUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

/**
 * `count` deployments sharing `alerts` bench alerts (written once, symlinked into the others) and the state index;
 * `settings` are added to each one's state settings (deadline: its run.deadline).
 */
async function deploy(bench: HostsBench, count: number, alerts: number, settings: Partial<LeaseSettings> = {}): Promise<Deployment[]> {
  await engine(bench, 'DELETE', `/${stateIndex(bench)}?ignore_unavailable=true`);
  const { deadline, ...state } = settings;
  const deps: Deployment[] = [];
  for (let k = 1; k <= count; k++) {
    const proxy = await startCountingProxy(bench.engineUrl);
    const id = `bench-host-${k}`;
    const project = createProject({
      esUrl: proxy.url,
      smtpPort: bench.smtpPort,
      slackUrl: bench.slackUrl,
      extraConfig: {
        ...benchSettings(proxy.url),
        state: { lock_wait: '10s', backend: 'cluster', index: stateIndex(bench), host_id: id, ...state },
        ...(deadline ? { run: { deadline } } : {}),
      },
    });
    if (k === 1) writeAlertcronAlerts(project, alerts);
    else
      for (const folder of ['alerts', 'queries']) {
        rmSync(join(project.dir, folder), { recursive: true, force: true });
        symlinkSync(join(deps[0]!.project.dir, folder), join(project.dir, folder), 'dir');
      }
    deps.push({ id, project, proxy, env: (now) => ({ ...bench.baseEnv, XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ALERTCRON_NOW: iso(now) }) });
  }
  return deps;
}

async function undeploy(bench: HostsBench, deps: Deployment[]): Promise<void> {
  for (const d of deps) {
    await d.proxy.close();
    if (!bench.keep) d.project.cleanup();
  }
  await engine(bench, 'DELETE', `/${stateIndex(bench)}?ignore_unavailable=true`);
}

/** What one run's `run --json` says, next to the measured sample. */
function hostRun(host: string, s: Sample): { run: HostRun; names: string[] } {
  let report: any = {};
  try {
    report = JSON.parse(s.stdout);
  } catch {
    /* a run that printed no report: counted as evaluating nothing, its exit code tells */
  }
  const names: string[] = (report.alerts ?? []).filter((a: any) => a.status !== 'not-due').map((a: any) => String(a.name));
  const st = report.stateRequests ?? {};
  const p = report.partitions;
  return {
    names,
    run: {
      host,
      wall_s: s.wall_s,
      cpu_s: s.user_s + s.sys_s,
      rss_mb: (s.max_rss_kib * 1024) / 1e6,
      code: s.code,
      requests: s.requests,
      busyMs: s.busyMs,
      byKind: s.byKind,
      stateRequests: st.requests ?? NaN,
      stateWrites: st.writes ?? NaN,
      stateDocs: st.docs ?? NaN,
      docsWritten: s.docsWritten,
      docsByKind: s.docsByKind,
      evaluated: names.length,
      ...(p ? { held: p.held?.length ?? 0, coordinator: !!p.coordinator, took: p.took?.length ?? 0 } : {}),
    },
  };
}

/** The runs of one minute of alert time: every deployment's `alertcron run --json`, started together. */
async function minute(bench: HostsBench, deps: Deployment[], now: number, label: string): Promise<{ runs: HostRun[]; names: string[][] }> {
  await bench.clearRequestCache();
  const out = join(bench.work, 'hosts');
  mkdirSync(out, { recursive: true });
  const samples = await Promise.all(deps.map((d) => measured(bench.python, [process.execPath, bench.bin, 'run', '--json'], d.project.dir, d.env(now), join(out, `${label}-${d.id}`), d.proxy)));
  const runs = samples.map((s, k) => hostRun(deps[k]!.id, s));
  return { runs: runs.map((r) => r.run), names: runs.map((r) => r.names) };
}

/** Counts by kind added up (a kind missing from one is 0 there). */
export function sumByKind(list: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of list) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The median of each kind over a list of counts (a kind missing from one is 0 there). */
export function medianByKind(list: readonly Record<string, number>[]): Record<string, number> {
  const kinds = new Set(list.flatMap((c) => Object.keys(c)));
  return Object.fromEntries([...kinds].sort().map((k) => [k, median(list.map((c) => c[k] ?? 0))]));
}

/** Counts by kind as text, largest first: `part 64, host 2`. */
export function kindsText(c: Record<string, number>): string {
  return Object.entries(c).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `${k} ${Math.round(v * 10) / 10}`).join(', ') || 'none';
}

/** The alert time of tick t of `total`: the last one is the bench's quiet minute. */
const tickNow = (t: number, total: number) => QUIET_NOW - (total - 1 - t) * WINDOW_MS;

/** H hosts share N alerts: `warmup` minutes (the first one finds the others as they start), then `minutes` measured. */
export async function measureHostsCase(bench: HostsBench, hosts: number, alerts: number, minutes: number, warmup = 2): Promise<HostsCase> {
  const deps = await deploy(bench, hosts, alerts);
  const loadAvg = loadavg().map((x) => Number(x.toFixed(2)));
  const total = warmup + minutes;
  const measuredRuns: HostRun[][] = [];
  const twice: number[] = [];
  const missed: number[] = [];
  const checks: string[] = [];
  try {
    // The parse cache of each deployment filled one after the other (as validate does): the first minute then
    // compares hosts finding each other, not 2 cores parsing the same alert files H times at once.
    for (const d of deps) await measured(bench.python, [process.execPath, bench.bin, 'validate'], d.project.dir, d.env(tickNow(0, total)), join(bench.work, `validate-${d.id}`));
    // The first host alone makes the state index, as the first cron host of a deployment does (the others would
    // wait for that one-time set-up): the minutes measure hosts sharing, not the set-up.
    await minute(bench, deps.slice(0, 1), tickNow(-1, total), `h${hosts}-n${alerts}-first`);
    for (let t = 0; t < total; t++) {
      const { runs, names } = await minute(bench, deps, tickNow(t, total), `h${hosts}-n${alerts}-m${t}`);
      bench.log(`bench: ${hosts} host(s) × ${alerts} alerts, minute ${t + 1}/${total}${t < warmup ? ' (warm-up)' : ''}: ${runs.map((r) => `${r.host} ${r.wall_s.toFixed(2)} s exit ${r.code} evaluated ${r.evaluated}${r.held === undefined ? '' : ` held ${r.held}`} docs ${r.stateDocs}/${r.docsWritten} (${kindsText(r.docsByKind)})`).join('; ')}`);
      if (t < warmup) continue;
      measuredRuns.push(runs);
      const seen = new Map<string, number>();
      for (const list of names) for (const n of list) seen.set(n, (seen.get(n) ?? 0) + 1);
      twice.push([...seen.values()].filter((c) => c > 1).length);
      missed.push(alerts - seen.size);
    }
  } finally {
    await undeploy(bench, deps);
  }
  const perHost = deps.map((d, k): HostSummary => {
    const rs = measuredRuns.map((m) => m[k]!);
    // A run that printed no report (exit 5 of today's run lease) has no stateRequests: left out of the median.
    const med = (f: (r: HostRun) => number) => median(rs.map(f).filter(Number.isFinite));
    const held = rs.map((r) => r.held).filter((h): h is number => h !== undefined);
    return {
      host: d.id,
      wall_s: med((r) => r.wall_s),
      wall_max_s: Math.max(...rs.map((r) => r.wall_s)),
      cpu_s: med((r) => r.cpu_s),
      rss_mb: med((r) => r.rss_mb),
      requests: med((r) => r.requests),
      busyMs: med((r) => r.busyMs),
      stateRequests: med((r) => r.stateRequests),
      stateWrites: med((r) => r.stateWrites),
      stateDocs: med((r) => r.stateDocs),
      docsWritten: med((r) => r.docsWritten),
      docsByKind: medianByKind(rs.map((r) => r.docsByKind)),
      evaluated: med((r) => r.evaluated),
      ...(held.length ? { held: median(held) } : {}),
      codes: [...new Set(rs.map((r) => r.code))],
      byKind: rs[rs.length - 1]?.byKind ?? {},
    };
  });
  const sum = (f: (r: HostRun) => number) => median(measuredRuns.map((m) => m.reduce((a, r) => a + (Number.isFinite(f(r)) ? f(r) : 0), 0)));
  const perMinute = {
    requests: sum((r) => r.requests),
    stateRequests: sum((r) => r.stateRequests),
    stateWrites: sum((r) => r.stateWrites),
    stateDocs: sum((r) => r.stateDocs),
    docsWritten: sum((r) => r.docsWritten),
    docsByKind: medianByKind(measuredRuns.map((m) => sumByKind(m.map((r) => r.docsByKind)))),
    evaluated: sum((r) => r.evaluated),
    slowest_s: median(measuredRuns.map((m) => Math.max(...m.map((r) => r.wall_s)))),
  };
  const tag = `hosts ${hosts} × ${alerts} alerts`;
  const codes = [...new Set(measuredRuns.flat().map((r) => r.code))];
  checks.push(codes.every((c) => c === 0) ? `${tag}: every run exited 0 in ${minutes} measured minutes` : `${tag}: exit codes ${codes.join(',')} in the measured minutes`);
  checks.push(
    twice.every((x) => x === 0) && missed.every((x) => x === 0)
      ? `${tag}: every alert evaluated by exactly one host in each of ${minutes} measured minutes`
      : `${tag}: alerts evaluated twice per minute ${twice.join(',')}; not evaluated ${missed.join(',')}`,
  );
  return { hosts, alerts, minutes, warmup, loadAvg, perHost, perMinute, twice, missed, checks };
}

/** The lease documents as they are now (realtime GET): today's `lease:run` and the partitions' `part:<name>`. */
async function leases(bench: HostsBench): Promise<Map<string, { holder: string; token: number; released: boolean }>> {
  const ids = ['lease:run', ...leaseNames().map((n) => `part:${n}`)];
  const r = await engine(bench, 'POST', `/${stateIndex(bench)}/_mget`, { ids });
  const out = new Map<string, { holder: string; token: number; released: boolean }>();
  for (const d of r.docs ?? []) if (d.found && d._source) out.set(String(d._id), { holder: String(d._source.holder ?? ''), token: Number(d._source.token ?? 0), released: !!d._source.released });
  return out;
}

/** One run started without the measuring wrapper (so that it can be killed): its exit and report. */
function spawnRun(bench: HostsBench, d: Deployment, now: number) {
  const child = spawn(process.execPath, [bench.bin, 'run', '--json'], { cwd: d.project.dir, env: d.env(now), stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (x) => (stdout += x));
  const done = new Promise<{ code: number; took: number }>((resolve) =>
    child.on('close', (code, signal) => {
      let took = 0;
      try {
        took = JSON.parse(stdout).partitions?.took?.length ?? 0;
      } catch {
        /* killed, or no report */
      }
      resolve({ code: code ?? (signal ? 128 + 9 : 1), took });
    }),
  );
  return { child, done };
}

/**
 * The takeover: `hosts` hosts share `alerts` alerts with the given lease settings; after two warm-up minutes, in a
 * third minute started together, the last host is killed (SIGKILL) as soon as it holds its leases; the others go on
 * running every `periodS` real seconds (cron: 60), and the leases are polled until every one the victim held has
 * a new holder.
 */
export async function measureTakeover(bench: HostsBench, label: string, hosts: number, alerts: number, settings: LeaseSettings, periodS: number, waitS: number): Promise<TakeoverResult> {
  const deps = await deploy(bench, hosts, alerts, settings);
  const result: TakeoverResult = { label, settings, periodS, hosts, alerts, waitedS: waitS, ticks: [] };
  const victim = deps[deps.length - 1]!;
  const survivors = deps.slice(0, -1);
  let tick = 0;
  const nextNow = () => QUIET_NOW + tick++ * WINDOW_MS;
  try {
    for (const d of deps) await measured(bench.python, [process.execPath, bench.bin, 'validate'], d.project.dir, d.env(QUIET_NOW), join(bench.work, `validate-${d.id}`));
    for (let w = 0; w < 2; w++) await minute(bench, deps, nextNow(), `takeover-${label}-warm${w}`);
    // The kill: the minute's runs start together; the victim is killed once its leases show it as their holder.
    let held: Map<string, number> | undefined;
    let killAt = 0;
    let tickStart = 0;
    for (let attempt = 0; attempt < 3 && !held; attempt++) {
      await bench.clearRequestCache();
      const now = nextNow();
      tickStart = Date.now();
      const runs = deps.map((d) => spawnRun(bench, d, now));
      const victimRun = runs[runs.length - 1]!;
      let exited = false;
      void victimRun.done.then(() => (exited = true));
      const victimHolds = async () => [...(await leases(bench))].filter(([, l]) => l.holder.startsWith(`${victim.id}@`) && !l.released);
      while (!exited) {
        if ((await victimHolds()).length) {
          victimRun.child.kill('SIGKILL');
          killAt = Date.now();
          // What it still held when it died (a run that released its leases just before is no kill mid-run: again).
          const mine = await victimHolds();
          if (mine.length) held = new Map(mine.map(([id, l]) => [id, l.token]));
          break;
        }
        await sleep(25);
      }
      await Promise.all(runs.map((r) => r.done));
    }
    if (!held) {
      result.note = `the victim's run ended before it was seen holding a lease (3 attempts): no takeover to measure`;
      bench.log(`bench: takeover (${label}): ${result.note}`);
      return result;
    }
    result.victim = victim.id;
    result.leases = [...held.keys()].map((id) => id.replace(/^part:/, ''));
    result.killedAfterS = (killAt - tickStart) / 1000;
    bench.log(`bench: takeover (${label}): killed ${victim.id} ${result.killedAfterS.toFixed(2)} s into its run, holding ${result.leases.length} lease(s)`);
    // The survivors run every periodS from the kill minute's start; the leases are polled meanwhile.
    const deadline = killAt + waitS * 1000;
    let running: Promise<unknown> = Promise.resolve();
    let nextTick = tickStart + periodS * 1000;
    while (Date.now() < deadline) {
      if (Date.now() >= nextTick) {
        await running;
        const atS = (Date.now() - killAt) / 1000;
        await bench.clearRequestCache();
        const now = nextNow();
        const runs = survivors.map((d) => spawnRun(bench, d, now));
        const entry = { atS, took: 0, codes: [] as number[] };
        result.ticks.push(entry);
        running = Promise.all(runs.map((r) => r.done)).then((rs) => {
          entry.took = rs.reduce((a, r) => a + r.took, 0);
          entry.codes = rs.map((r) => r.code);
        });
        nextTick += periodS * 1000;
      }
      const now = await leases(bench);
      const taken = [...held].every(([id, token]) => {
        const l = now.get(id);
        return l && l.token > token && !l.holder.startsWith(`${victim.id}@`);
      });
      if (taken) {
        result.takeoverS = (Date.now() - killAt) / 1000;
        const by: Record<string, number> = {};
        for (const id of held.keys()) {
          const host = now.get(id)!.holder.split('@')[0]!;
          by[host] = (by[host] ?? 0) + 1;
        }
        result.takenBy = by;
        break;
      }
      await sleep(250);
    }
    await running;
    bench.log(`bench: takeover (${label}): ${result.takeoverS === undefined ? `not within ${waitS} s` : `${result.takeoverS.toFixed(1)} s after the kill`}`);
    return result;
  } finally {
    await undeploy(bench, deps);
  }
}

/** What to measure: hosts counts at `alerts` alerts, the same at `scaleAlerts`, the target, and the takeovers. */
export interface HostsOptions {
  hosts: number[];
  alerts: number;
  minutes: number;
  /** Alerts of the writes-against-alerts comparison (0: none); measured with 1 host and the most hosts. */
  scaleAlerts: number;
  /** The issue's target: targetHosts hosts × targetAlerts alerts (0 alerts: not measured). */
  targetAlerts: number;
  targetHosts: number;
  /** Which takeover cases: the defaults (30 s lease, 90 s host_ttl, cron every 60 s) and short ones. */
  takeovers: ('defaults' | 'short')[];
}

/** The lease settings of the takeover cases. */
export const TAKEOVER_CASES: Record<'defaults' | 'short', { settings: LeaseSettings; periodS: number; waitS: number }> = {
  // The defaults: a run renews its leases every 10 s; a dead holder's lease runs out 30 s + 10 s after its last
  // renewal; the hosts run every 60 s (cron). Waited for: up to three cron minutes after the kill.
  defaults: { settings: { partition_lease: '30s', host_ttl: '90s', max_clock_skew: '10s' }, periodS: 60, waitS: 200 },
  // Short ones, cron's minute scaled down to 10 s: lease 6 s, skew 1 s; host_ttl 30 s >= deadline 20 s + 6 s + 1 s.
  short: { settings: { partition_lease: '6s', host_ttl: '30s', max_clock_skew: '1s', lease_ttl: '25s', deadline: '20s' }, periodS: 10, waitS: 60 },
};

/** Runs the whole scenario. */
export async function measureHosts(bench: HostsBench, o: HostsOptions, meta: { alertcronCommit: string; command: string }): Promise<HostsResult> {
  const res: HostsResult = { startedAt: iso(Date.now()), alertcronCommit: meta.alertcronCommit, cases: [], scale: [], takeovers: [], command: meta.command, checks: [] };
  for (const h of o.hosts) {
    bench.log(`\nbench: ${h} host(s) sharing ${o.alerts} alerts, ${o.minutes} measured minutes`);
    const c = await measureHostsCase(bench, h, o.alerts, o.minutes);
    res.cases.push(c);
    res.checks.push(...c.checks);
  }
  if (o.scaleAlerts > 0)
    for (const h of [...new Set([1, Math.max(...o.hosts)])]) {
      bench.log(`\nbench: ${h} host(s) sharing ${o.scaleAlerts} alerts (state writes against alerts)`);
      const c = await measureHostsCase(bench, h, o.scaleAlerts, Math.min(o.minutes, 3));
      res.scale.push(c);
      res.checks.push(...c.checks);
    }
  if (o.targetAlerts > 0) {
    bench.log(`\nbench: the target: ${o.targetHosts} hosts sharing ${o.targetAlerts} alerts`);
    res.target = await measureHostsCase(bench, o.targetHosts, o.targetAlerts, Math.min(o.minutes, 3));
    res.checks.push(...res.target.checks);
  } else res.targetSkipped = 'not measured in this run (--hosts-target 0)';
  for (const t of o.takeovers) {
    const c = TAKEOVER_CASES[t];
    const h = Math.max(...o.hosts, 2);
    bench.log(`\nbench: takeover after a SIGKILL (${t}: partition_lease ${c.settings.partition_lease}, host_ttl ${c.settings.host_ttl}), ${h} hosts × ${o.alerts} alerts`);
    res.takeovers.push(await measureTakeover(bench, t, h, o.alerts, c.settings, c.periodS, c.waitS));
  }
  return res;
}
