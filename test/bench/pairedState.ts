// The same steady-state run of one project over states that differ in one thing (many keys or none, many receipts or
// none ...), alternated run by run so that every variant sees the same load.
import { cpSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../support/project.js';
import { warmParseCache } from './primed.js';
import { summarise, type Sample, type Summary } from './run.js';
import { stagesOf, summariseStages, type StageSummary } from './stagesReport.js';

/** One state to measure: its label and how to write it into the empty state folder (returns the bytes written). */
export interface StateVariant {
  label: string;
  write(stateDir: string): number;
}

/** What one variant measured. */
export interface VariantResult {
  label: string;
  /** What its writer wrote, in bytes (the state as an older alertcron or the bench wrote it, before the first run). */
  bytes: number;
  runs: Summary;
  /** The first run on the written state (it converts what an older version wrote). */
  first: Summary;
  /** The measured runs' stages (`run --json`). */
  stages?: StageSummary;
  /** The size of the state.json a measured run rewrites (bytes, the largest after any of them; absent if none was left). */
  stateJsonBytes?: number;
}

/** How the variants are run: a measured `alertcron` command at a time, what to do before each run, what to expect. */
export interface PairedRuns {
  /** The minute of the priming run (the state written is taken by it) and of the measured runs. */
  primeNow: number;
  now: number;
  runs: number;
  /** One measured `alertcron <args>` in the project at `now`; output files named by `label`. */
  alertcron(args: string[], now: number | undefined, label: string): Promise<Sample>;
  /** Before each run: caches cleared, sinks emptied. */
  before(): Promise<void>;
  /** The notifications the sinks got since before() (checked against `expectDelivered` when given). */
  delivered?(): number;
  expectDelivered?: number;
}

/**
 * Writes each variant's state, primes it with a run at `primeNow` (then `validate`, so that the parse cache is as a
 * warm run leaves it), keeps that state aside, and measures `runs` rounds of `run --json` at `now`, one run of each
 * variant per round. `tag` names the scenario in the check lines.
 */
export async function measurePairedStates(project: Project, tag: string, variants: readonly StateVariant[], how: PairedRuns): Promise<{ variants: VariantResult[]; checks: string[] }> {
  const stateDir = join(project.dir, 'state');
  const snapshots = join(project.dir, 'snapshots');
  const checks: string[] = [];
  const bytes = new Map<string, number>();
  const firsts = new Map<string, Sample>();
  const rewritten = new Map<string, number>();
  for (const v of variants) {
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    bytes.set(v.label, v.write(stateDir));
    await how.before();
    const prime = await how.alertcron(['run'], how.primeNow, `${v.label}-prime`);
    firsts.set(v.label, prime);
    if (prime.code !== 0) checks.push(`${tag} (${v.label}): the priming run exited ${prime.code}: ${prime.stderr.slice(0, 300)}`);
    await warmParseCache(how.alertcron, v.label);
    cpSync(stateDir, join(snapshots, v.label), { recursive: true });
  }
  const series = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
  for (let r = 0; r < how.runs; r++) {
    for (const v of variants) {
      rmSync(stateDir, { recursive: true, force: true });
      cpSync(join(snapshots, v.label), stateDir, { recursive: true });
      await how.before();
      const s = await how.alertcron(['run', '--json'], how.now, `${v.label}-${r}`);
      if (how.delivered) s.delivered = how.delivered();
      if (s.code !== 0 || (how.expectDelivered !== undefined && s.delivered !== how.expectDelivered)) checks.push(`${tag} (${v.label}) run ${r}: exit ${s.code}, delivered ${s.delivered ?? '–'}${how.expectDelivered === undefined ? '' : ` (expected ${how.expectDelivered})`}: ${s.stderr.slice(0, 300)}`);
      series.get(v.label)!.push(s);
      const size = fileBytes(join(stateDir, 'state.json'));
      if (size !== undefined) rewritten.set(v.label, Math.max(size, rewritten.get(v.label) ?? 0));
    }
  }
  rmSync(snapshots, { recursive: true, force: true });
  if (!checks.length) checks.push(`${tag}: alertcron exited 0${how.expectDelivered === undefined ? '' : ` and delivered ${how.expectDelivered} notification(s)`} in all ${variants.length * (how.runs + 1)} runs (${variants.map((v) => v.label).join(', ')})`);
  return {
    checks,
    variants: variants.map((v) => {
      const samples = series.get(v.label)!;
      const stages = summariseStages(samples.map((s) => stagesOf(s.stdout, s.wall_s)));
      const stateJsonBytes = rewritten.get(v.label);
      return { label: v.label, bytes: bytes.get(v.label)!, runs: summarise(samples), first: summarise([firsts.get(v.label)!]), ...(stages ? { stages } : {}), ...(stateJsonBytes === undefined ? {} : { stateJsonBytes }) };
    }),
  };
}

/** A file's size in bytes, or undefined when it is not there. */
function fileBytes(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
