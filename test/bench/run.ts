// Running one measured command: through measure.py (wall time, peak RSS, CPU), with the counting proxy reset
// before and read after.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/project.js';
import type { CountingProxy } from './proxy.js';

export const BENCH_DIR = join(REPO_ROOT, 'test', 'bench');
export const MEASURE_PY = join(BENCH_DIR, 'measure.py');

/** One measured run of a command. */
export interface Sample {
  wall_s: number;
  max_rss_kib: number;
  user_s: number;
  sys_s: number;
  code: number;
  requests: number;
  connections: number;
  byKind: Record<string, number>;
  /** Wall time with at least one cluster request in flight, seen at the proxy (ms). */
  busyMs: number;
  /** Documents written through the proxy (bulk actions and single-document writes). */
  docsWritten: number;
  /** The same by the kind of document (see ProxyCounts.docsByKind). */
  docsByKind: Record<string, number>;
  stdout: string;
  stderr: string;
  /** Notifications the sinks received during the run (for runs that deliver). */
  delivered?: number;
  /** Anything else the caller wants to keep (e.g. ElastAlert2's own phase timings). */
  extra?: Record<string, unknown>;
}

/** Runs `command` under measure.py with the given python, cwd and environment; counts the proxy's requests. */
export async function measured(python: string, command: string[], cwd: string, env: Record<string, string>, outPrefix: string, proxy?: CountingProxy): Promise<Sample> {
  proxy?.reset();
  const child = spawn(python, [MEASURE_PY, outPrefix, '--', ...command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`measure.py failed (${code}): ${err}`);
  const m = JSON.parse(out.trim().split('\n').pop()!) as Omit<Sample, 'requests' | 'connections' | 'byKind' | 'busyMs' | 'docsWritten' | 'docsByKind' | 'stdout' | 'stderr'>;
  const counts = proxy?.counts() ?? { requests: 0, connections: 0, byKind: {}, busyMs: 0, docsWritten: 0, docsByKind: {} };
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  return { ...m, ...counts, stdout: read(`${outPrefix}.out`), stderr: read(`${outPrefix}.err`) };
}

/** Median of numbers (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** What a series of samples amounts to. */
export interface Summary {
  runs: number;
  wall_s: number;
  wall_min_s: number;
  wall_max_s: number;
  rss_mb: number;
  cpu_s: number;
  requests: number;
  requests_min: number;
  requests_max: number;
  connections: number;
  byKind: Record<string, number>;
  /** Median wall time with a cluster request in flight (ms). */
  clusterMs: number;
  delivered?: number;
  codes: number[];
  extra?: Record<string, number>;
}

export function summarise(samples: Sample[]): Summary {
  const walls = samples.map((s) => s.wall_s);
  const extra: Record<string, number> = {};
  const keys = new Set(samples.flatMap((s) => Object.keys(s.extra ?? {})));
  for (const k of keys) {
    const vals = samples.map((s) => s.extra?.[k]).filter((v): v is number => typeof v === 'number');
    if (vals.length) extra[k] = median(vals);
  }
  const delivered = samples.map((s) => s.delivered).filter((d): d is number => d !== undefined);
  return {
    runs: samples.length,
    wall_s: median(walls),
    wall_min_s: Math.min(...walls),
    wall_max_s: Math.max(...walls),
    rss_mb: median(samples.map((s) => (s.max_rss_kib * 1024) / 1e6)),
    cpu_s: median(samples.map((s) => s.user_s + s.sys_s)),
    requests: median(samples.map((s) => s.requests)),
    requests_min: Math.min(...samples.map((s) => s.requests)),
    requests_max: Math.max(...samples.map((s) => s.requests)),
    connections: median(samples.map((s) => s.connections)),
    byKind: samples[samples.length - 1]?.byKind ?? {},
    clusterMs: median(samples.map((s) => s.busyMs)),
    delivered: delivered.length ? median(delivered) : undefined,
    codes: [...new Set(samples.map((s) => s.code))],
    extra: Object.keys(extra).length ? extra : undefined,
  };
}

/**
 * The settings of every steady-state bench project: the cluster through the proxy at `url`, one-minute windows up
 * to now (`ingest_delay: 0s`: the same window as ElastAlert2's), the delivery limits.
 */
export function benchSettings(url: string): Record<string, unknown> {
  return {
    elasticsearch: { url, timeout: '30s' },
    defaults: { every: '1m', first_lookback: '1m', throttle: '30m', ingest_delay: '0s' },
    delivery: { concurrency: 8, deadline: '40s', attempt_timeout: '10s', retries: 1 },
  };
}

/** Output of a command (for versions); '' if it fails. */
export function capture(cmd: string, args: string[], cwd = REPO_ROOT): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}`.trim() : '';
}
