// The Sigma size of the benchmark (issue 27 point 7): N alerts whose query is a real Sigma rule (SigmaHQ's
// rules/windows from a clone given with --sigma-repo, or any folder with --sigma-rules; else the rules kept in
// test/fixtures/sigma), compiled in-process (parse, pipeline, DSL) and by the CLI on a cold parse cache and a warm
// one (`validate` and `run`), the run fused against the engine; and the cost of case-insensitive wildcards on a large
// keyword index (sigmaWildcard.ts). It measures and reports; nothing is asserted.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { toDsl } from '../../src/sigma/output/toDsl.js';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import { applyPipeline } from '../../src/sigma/pipeline/applyPipeline.js';
import { loadPipeline } from '../../src/sigma/pipeline/loadPipeline.js';
import type { SigmaRule } from '../../src/sigma/types.js';
import type { Project } from '../support/project.js';
import { REPO_ROOT } from '../support/project.js';
import { INDEX_PATTERN, QUIET_NOW } from './data.js';
import { summarise, type Sample, type Summary } from './run.js';
import type { WildcardResult } from './sigmaWildcard.js';

/** The SigmaHQ commit the fixtures come from; --sigma-repo archives rules/windows at it (or HEAD when it lacks it). */
export const SIGMA_COMMIT = '8eaafff1f2845a696050e05e72ba1140ee190698';
/** The shipped pipeline the bench's Sigma alerts use. */
export const SIGMA_PIPELINE = 'ecs_windows';

/** Where the rules come from: a folder of rules, or a clone of SigmaHQ/sigma (bare or not) to take rules/windows from. */
export interface SigmaRulesSource {
  rulesDir?: string;
  repo?: string;
}

/** What the Sigma size measured. */
export interface SigmaBenchResult {
  n: number;
  /** Where the rules came from, as the report says it. */
  source: string;
  /** Rule files found, and those the compiler refused (with the first reasons). */
  available: number;
  refused: number;
  refusedExamples: string[];
  /** In-process: reading, parsing, applying the pipeline and compiling N rules to DSL, first in the process and again. */
  inProcessFirstMs?: number;
  inProcessAgainMs?: number;
  /** The same, CPU time of the process (what a loaded machine does not inflate). */
  inProcessFirstCpuMs?: number;
  inProcessAgainCpuMs?: number;
  validateCold?: Summary;
  validateWarm?: Summary;
  runCold?: Summary;
  runWarm?: Summary;
  /** Why the CLI part was not measured (e.g. a build without the `sigma:` key). */
  skipped?: string;
  wildcard?: WildcardResult;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

/** The rule files to use: a folder given, rules/windows of a clone archived into the work folder, or the fixtures. */
export function materialiseSigmaRules(source: SigmaRulesSource, work: string): { files: string[]; source: string } {
  if (source.rulesDir) return { files: yamlFiles(source.rulesDir), source: `the folder ${source.rulesDir}` };
  if (source.repo) {
    const out = join(work, 'sigma-rules');
    mkdirSync(out, { recursive: true });
    let commit = SIGMA_COMMIT;
    try {
      execFileSync('git', ['-C', source.repo, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' });
    } catch {
      commit = 'HEAD';
    }
    const tar = execFileSync('git', ['-C', source.repo, 'archive', commit, 'rules/windows'], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', out], { input: tar });
    return { files: yamlFiles(join(out, 'rules', 'windows')), source: `SigmaHQ/sigma rules/windows at ${commit === 'HEAD' ? 'the clone\'s HEAD' : commit.slice(0, 8)}` };
  }
  const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'sigma');
  const files = yamlFiles(fixtures).filter((f) => /[/\\]rules[^/\\]*[/\\]/.test(relative(fixtures, f)) && !f.includes('regression_data'));
  return { files, source: 'the SigmaHQ rules kept in test/fixtures/sigma (pass --sigma-repo <clone of SigmaHQ/sigma> for rules/windows)' };
}

/** Compiles every file in-process; returns the time and which files compiled (the others with their reason). */
export function compileInProcess(files: string[]): { ms: number; cpuMs: number; compiled: string[]; refused: string[] } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const loaded = loadPipeline(SIGMA_PIPELINE, REPO_ROOT);
  if ('problems' in loaded) throw new Error(`pipeline ${SIGMA_PIPELINE}: ${JSON.stringify(loaded.problems)}`);
  const compiled: string[] = [];
  const refused: string[] = [];
  for (const file of files) {
    try {
      const parsed = parseSigma(readFileSync(file, 'utf8'));
      const rule = parsed.documents.find((d): d is SigmaRule => d.kind === 'rule');
      if (!rule) throw new Error(parsed.problems[0]?.message ?? 'no rule');
      toDsl(applyPipeline(loaded.pipeline, rule).condition);
      compiled.push(file);
    } catch (error) {
      refused.push(`${basename(file)}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, compiled, refused };
}

/** What the Sigma size needs from the bench: the project, a measured alertcron run, the environment's cache folder. */
export interface SigmaBench {
  n: number;
  runs: number;
  project: Project;
  /** The folder XDG_CACHE_HOME points at in the runs (its alertcron/ is the parse cache). */
  cacheHome: string;
  alertcron(args: string[], now: number | undefined, label: string): Promise<Sample>;
}

/** Writes one alert per rule (rule copied into the project's sigma/ folder) and measures validate and run, cold and warm. */
export async function measureSigmaCli(bench: SigmaBench, files: string[]): Promise<Pick<SigmaBenchResult, 'validateCold' | 'validateWarm' | 'runCold' | 'runWarm' | 'skipped'> & { checks: string[] }> {
  const { project, runs } = bench;
  const sigmaDir = join(project.dir, 'sigma');
  mkdirSync(sigmaDir, { recursive: true });
  files.forEach((file, i) => {
    const name = `${String(i).padStart(4, '0')}-${basename(file)}`;
    copyFileSync(file, join(sigmaDir, name));
    project.writeAlert(`sigma-${String(i).padStart(4, '0')}`, { sigma: { rule: `../sigma/${name}`, pipeline: SIGMA_PIPELINE }, index: INDEX_PATTERN, notify: ['soc-slack'] });
  });
  const cold = (): void => rmSync(join(bench.cacheHome, 'alertcron'), { recursive: true, force: true });
  const checks: string[] = [];
  const series = async (args: string[], label: string, beforeEach: () => void): Promise<Summary> => {
    const samples: Sample[] = [];
    for (let r = 0; r < runs; r++) {
      beforeEach();
      rmSync(join(project.dir, 'state'), { recursive: true, force: true });
      samples.push(await bench.alertcron(args, args[0] === 'run' ? QUIET_NOW : undefined, `sigma-${label}-${r}`));
    }
    const bad = samples.filter((s) => s.code !== 0);
    checks.push(bad.length ? `Sigma N=${bench.n} ${label}: exit codes ${samples.map((s) => s.code).join(',')}; stderr: ${bad[0]!.stderr.slice(0, 400)}` : `Sigma N=${bench.n} ${label}: alertcron exited 0 in all ${runs} runs`);
    return summarise(samples);
  };
  cold();
  const probe = await bench.alertcron(['validate'], undefined, 'sigma-probe');
  if (probe.code !== 0) return { skipped: `alertcron validate failed on the Sigma alerts (a build without the sigma: key?): ${(probe.stderr || probe.stdout).slice(0, 300)}`, checks };
  const validateCold = await series(['validate'], 'validate-cold', cold);
  const validateWarm = await series(['validate'], 'validate-warm', () => undefined);
  const runCold = await series(['run'], 'run-cold', cold);
  const runWarm = await series(['run'], 'run-warm', () => undefined);
  return { validateCold, validateWarm, runCold, runWarm, checks };
}

/** Whether the CLI options asked for a folder or a clone that is not there. */
export function checkSigmaSource(source: SigmaRulesSource): void {
  if (source.rulesDir && !existsSync(source.rulesDir)) throw new Error(`--sigma-rules: no folder ${source.rulesDir}`);
  if (source.repo && !existsSync(source.repo)) throw new Error(`--sigma-repo: no git repository at ${source.repo}`);
}
