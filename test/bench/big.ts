// Issue 29's size of 100,000 alerts on one host: the quiet and the incident minute (10% of the alerts match, one
// notice each), alertcron only (ElastAlert2 would take about 12 minutes a run at this size: not measured), with the
// requests made, the time with one in flight, the cluster's own time (`took`) and the run's stages, so that what
// limits it (the cluster, the network, alertcron's CPU) can be said.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { INCIDENT_NOW, QUIET_NOW } from './data.js';
import { primeIncident, type ScenarioBench } from './primed.js';
import { summarise, type Sample, type Summary } from './run.js';
import { stagesOf, summariseStages, type StageSummary } from './stagesReport.js';

/** What the big size measured. */
export interface BigResult {
  n: number;
  expectedMatches: number;
  runs: number;
  loadAvg?: number[];
  skipped?: string;
  quiet?: Summary;
  incident?: Summary;
  stages: { quiet?: StageSummary; incident?: StageSummary };
}

/** What the big size needs beyond an extra scenario's: how many extra `run --json` runs read the stages. */
export interface BigBench extends ScenarioBench {
  stageRuns: number;
  /** Notifications the sinks received since the last fresh(). */
  delivered(): number;
}

/**
 * Measures the quiet and the incident minute of the project's alerts (written by the caller): each primed a minute
 * before, `runs` measured runs (`alertcron run`, as cron starts it), then `stageRuns` runs of `run --json` for the
 * stages (apart: the report of 100,000 alerts is itself a cost the measured runs must not carry).
 */
export async function measureBig(bench: BigBench): Promise<{ result: BigResult; checks: string[] }> {
  const { n, expectedMatches, runs, project } = bench;
  const result: BigResult = { n, expectedMatches, runs, stages: {} };
  const checks: string[] = [];
  const tag = `big N=${n}`;
  for (const scenario of ['quiet', 'incident'] as const) {
    const now = scenario === 'quiet' ? QUIET_NOW : INCIDENT_NOW;
    const want = scenario === 'quiet' ? 0 : expectedMatches;
    // Each minute primed from no state, as a fresh deployment's previous minute left it.
    rmSync(join(project.dir, 'state'), { recursive: true, force: true });
    const primed = await primeIncident(project, bench.alertcron, `${tag} ${scenario}`, `big-${scenario}`, `${n} bench alerts`, now);
    checks.push(...primed.checks);
    if (primed.skipped) {
      result.skipped = primed.skipped;
      return { result, checks };
    }
    const samples: Sample[] = [];
    for (let r = 0; r < runs; r++) {
      primed.restore();
      await bench.fresh();
      const s = await bench.alertcron(['run'], now, `big-${scenario}-${r}`);
      s.delivered = bench.delivered();
      samples.push(s);
    }
    const stages = [];
    for (let r = 0; r < bench.stageRuns; r++) {
      primed.restore();
      await bench.fresh();
      const run = await bench.alertcron(['run', '--json'], now, `big-${scenario}-stages-${r}`);
      stages.push(stagesOf(run.stdout, run.wall_s));
    }
    primed.drop();
    result[scenario] = summarise(samples);
    result.stages[scenario] = summariseStages(stages);
    const bad = samples.filter((s) => s.code !== 0 || s.delivered !== want);
    checks.push(bad.length
      ? `${tag} ${scenario}: alertcron exit codes ${samples.map((s) => s.code).join(',')}, delivered ${samples.map((s) => s.delivered).join(',')} (expected ${want}); stderr: ${bad[0]!.stderr.slice(0, 400)}`
      : `${tag} ${scenario}: alertcron exited 0 and delivered ${want} notification(s) in each of ${runs} runs`);
  }
  return { result, checks };
}
