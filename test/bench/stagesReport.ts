// Where a measured run's time goes, stage by stage: read from `run --json` (`stages`, `clusterTookMs`), summarised
// over the runs of a scenario (medians), and written as tables into docs/BENCHMARK.md.
import type { StageTiming } from '../../src/util/stageClock.js';
import { median } from './run.js';

export type { StageTiming } from '../../src/util/stageClock.js';

/** The stages of one run and the cluster's own time, as `run --json` reported them. */
export interface RunStages {
  stages: StageTiming[];
  clusterTookMs?: number;
  /** The same run's whole process wall time as measured from outside (ms), when known. */
  processWallMs?: number;
}

/** The medians of a scenario's runs, stage by stage (in the order the first run listed them, then any others). */
export interface StageSummary {
  runs: number;
  stages: StageTiming[];
  /** Median of the runs' clusterTookMs (absent when no run reported one). */
  clusterTookMs?: number;
  /** Median of the stages' wall and CPU times added up (node's start to the heartbeat; printing the report comes after). */
  wallMs: number;
  cpuMs: number;
  /** The peak resident set up to the last stage (median over the runs; the process's exit comes after). */
  rssMb: number;
  /**
   * Median over the runs of their own process wall time less their stages (ms): what no stage holds (starting the
   * process before node's clock begins, printing the --json report, the exit); absent when no run's wall is known.
   */
  outsideMs?: number;
}

/**
 * The stages a `run --json` printed on stdout, or undefined when it printed no report with stages; `wallS`, the
 * process's wall time as measured (Sample.wall_s), gives the time the same run spent outside its stages.
 */
export function stagesOf(stdout: string, wallS?: number): RunStages | undefined {
  let report: { stages?: unknown; clusterTookMs?: unknown };
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    return undefined;
  }
  if (!Array.isArray(report?.stages)) return undefined;
  const stages = (report.stages as Partial<StageTiming>[]).filter((s): s is StageTiming => typeof s?.stage === 'string' && [s.wallMs, s.cpuMs, s.heapMb, s.rssMb].every((x) => typeof x === 'number'));
  return { stages, ...(typeof report.clusterTookMs === 'number' ? { clusterTookMs: report.clusterTookMs } : {}), ...(wallS === undefined ? {} : { processWallMs: wallS * 1000 }) };
}

/** Medians per stage over the runs that reported stages; undefined when none did. */
export function summariseStages(runs: readonly (RunStages | undefined)[]): StageSummary | undefined {
  const got = runs.filter((r): r is RunStages => r !== undefined && r.stages.length > 0);
  if (!got.length) return undefined;
  const names = [...new Set(got.flatMap((r) => r.stages.map((s) => s.stage)))];
  const of = (name: string, field: keyof Omit<StageTiming, 'stage'>) => median(got.map((r) => r.stages.find((s) => s.stage === name)?.[field] ?? 0));
  const stages = names.map((stage) => ({ stage, wallMs: of(stage, 'wallMs'), cpuMs: of(stage, 'cpuMs'), heapMb: of(stage, 'heapMb'), rssMb: of(stage, 'rssMb') }));
  const sum = (r: RunStages, field: 'wallMs' | 'cpuMs') => r.stages.reduce((a, s) => a + s[field], 0);
  const tooks = got.map((r) => r.clusterTookMs).filter((t): t is number => t !== undefined);
  const outside = got.flatMap((r) => (r.processWallMs === undefined ? [] : [r.processWallMs - sum(r, 'wallMs')]));
  return {
    runs: got.length,
    stages,
    ...(tooks.length ? { clusterTookMs: median(tooks) } : {}),
    wallMs: median(got.map((r) => sum(r, 'wallMs'))),
    cpuMs: median(got.map((r) => sum(r, 'cpuMs'))),
    rssMb: median(got.map((r) => Math.max(...r.stages.map((s) => s.rssMb)))),
    ...(outside.length ? { outsideMs: median(outside) } : {}),
  };
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/**
 * A markdown table of stages (rows) by scenario (columns): median wall / CPU ms per stage, the largest share of
 * each column's wall in bold, then the totals, the resident set and the cluster's own time. Empty without a summary.
 */
export function stageTable(title: string, columns: readonly (readonly [string, StageSummary | undefined])[]): string[] {
  const cols = columns.filter((c): c is readonly [string, StageSummary] => c[1] !== undefined);
  if (!cols.length) return [];
  const names = [...new Set(cols.flatMap(([, s]) => s.stages.map((x) => x.stage)))];
  const top = cols.map(([, s]) => s.stages.reduce<StageTiming | undefined>((a, x) => (!a || x.wallMs > a.wallMs ? x : a), undefined)?.stage);
  const L = [
    `**${title}** (medians of ${cols.map(([, s]) => s.runs).join(' / ')} runs; wall / CPU in ms; the largest stage of each in bold):`,
    '',
    `| stage | ${cols.map(([label]) => label).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
  ];
  for (const name of names) {
    const cells = cols.map(([, s], c) => {
      const x = s.stages.find((y) => y.stage === name);
      if (!x) return '–';
      const cell = `${ms(x.wallMs)} / ${ms(x.cpuMs)}`;
      return top[c] === name ? `**${cell}**` : cell;
    });
    L.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  L.push(`| all stages | ${cols.map(([, s]) => `${ms(s.wallMs)} / ${ms(s.cpuMs)}`).join(' | ')} |`);
  if (cols.some(([, s]) => s.outsideMs !== undefined)) L.push(`| outside the stages (the same runs' process wall less all stages: exec before node's clock, printing the --json report, exit) | ${cols.map(([, s]) => (s.outsideMs === undefined ? '–' : ms(s.outsideMs))).join(' | ')} |`);
  L.push(`| peak resident set up to the last stage | ${cols.map(([, s]) => `${s.rssMb.toFixed(0)} MB`).join(' | ')} |`);
  if (cols.some(([, s]) => s.clusterTookMs !== undefined)) L.push(`| the cluster's own time (\`took\`, within fetch) | ${cols.map(([, s]) => (s.clusterTookMs === undefined ? '–' : `${ms(s.clusterTookMs)}`)).join(' | ')} |`);
  L.push('');
  return L;
}

/**
 * What limits a run, from its medians: the largest of three shares of the wall time, compared side by side (not one
 * before the others): alertcron's CPU, the cluster (its own `took`), the network or the proxy (a request in flight
 * while the cluster is not working: in flight less took; all of in flight when took is unknown); none when the largest
 * is under 40% (waiting on disk, the sinks or timers). `tookNote` says where took comes from when not the same runs.
 */
export function limitedBy(wallMs: number, cpuMs: number, inFlightMs: number, tookMs: number | undefined, tookNote = ''): string {
  const wall = Math.max(wallMs, 1);
  const share = (x: number) => `${Math.round((100 * x) / wall)}%`;
  const figures = `CPU ${share(cpuMs)} of the wall time, a cluster request in flight ${share(inFlightMs)}${tookMs === undefined ? '' : `, the cluster's own took ${share(tookMs)}${tookNote}`}`;
  const cluster = Math.min(tookMs ?? 0, inFlightMs);
  const candidates: [string, number][] = [
    ["alertcron's CPU", cpuMs],
    ['the cluster', cluster],
    ['the network or the proxy', inFlightMs - cluster],
  ];
  const [name, ms] = candidates.reduce((best, c) => (c[1] > best[1] ? c : best));
  if (ms >= 0.4 * wall) return `${name} (${figures})`;
  return `neither the CPU nor the cluster alone: waiting on disk, the sinks or timers (${figures})`;
}
