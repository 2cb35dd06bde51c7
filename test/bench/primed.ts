// The start of an extra scenario of the incident minute (digest.ts, paging.ts): validate its project, prime it with
// the cron run one minute earlier, and keep that state and parse cache aside to restore before each measured run.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../support/project.js';
import { INCIDENT_NOW, WINDOW_MS } from './data.js';
import type { Sample, Summary } from './run.js';

/** What an extra scenario of the incident minute measured, or why it was not. */
export interface ScenarioResult {
  n: number;
  /** Alerts that match in the incident minute. */
  expectedMatches: number;
  runs: number;
  loadAvg?: number[];
  /** Why it was not measured (e.g. a build whose alert schema lacks what the scenario uses). */
  skipped?: string;
  /** The incident minute with the scenario's channels. */
  incident?: Summary;
}

/** What an extra scenario needs from the bench: its project (its alerts written), a measured run, fresh sinks. */
export interface ScenarioBench {
  n: number;
  expectedMatches: number;
  runs: number;
  project: Project;
  /** One measured `alertcron` run in the project at `now` (ALERTCRON_NOW; undefined: the real clock). */
  alertcron(args: string[], now: number | undefined, label: string): Promise<Sample>;
  /** Before each measured run: the cluster's request cache cleared and the sinks emptied. */
  fresh(): Promise<void>;
}

/** The primed state of a scenario's project, or why it could not be measured. */
export interface Primed {
  /** Why the scenario is not measured (validate failed); the rest is then unused. */
  skipped?: string;
  /** Check lines so far (a failed priming run). */
  checks: string[];
  /** Puts the primed state/ and parse cache back into the project. */
  restore(): void;
  /** Deletes the copy kept aside. */
  drop(): void;
}

/**
 * Validates the project (`what` names its alerts in the reason a failure skips the scenario), runs it one minute
 * before `now` (the incident unless said), and keeps the state it left; `label` prefixes the runs' output files.
 */
export async function primeIncident(project: Project, alertcron: (args: string[], now: number | undefined, label: string) => Promise<Sample>, tag: string, label: string, what: string, now = INCIDENT_NOW): Promise<Primed> {
  const snap = join(project.dir, '..', `${project.dir.split('/').pop()}-${label}-snapshot`);
  const copy = (from: string, to: string) => existsSync(from) && cpSync(from, to, { recursive: true });
  const primed: Primed = {
    checks: [],
    restore() {
      for (const part of ['state', '.cache']) rmSync(join(project.dir, part), { recursive: true, force: true });
      copy(join(snap, 'state'), join(project.dir, 'state'));
      copy(join(snap, 'cache'), join(project.dir, '.cache'));
    },
    drop: () => rmSync(snap, { recursive: true, force: true }),
  };
  const validate = await alertcron(['validate'], undefined, `${label}-validate`);
  if (validate.code !== 0) {
    primed.skipped = `alertcron validate exited ${validate.code} on ${what}: ${(validate.stdout + validate.stderr).split('\n')[0]}`;
    primed.checks.push(`${tag}: not measured: ${primed.skipped}`.slice(0, 600));
    return primed;
  }
  // Steady state: a run one minute before left state/ and the parse cache behind.
  const prime = await alertcron(['run'], now - WINDOW_MS, `${label}-prime`);
  if (prime.code !== 0) primed.checks.push(`${tag}: the priming run exited ${prime.code}: ${prime.stderr.slice(0, 400)}`);
  await warmParseCache(alertcron, label);
  copy(join(project.dir, 'state'), join(snap, 'state'));
  copy(join(project.dir, '.cache'), join(snap, 'cache'));
  return primed;
}

/**
 * After a cold priming run, one warm load of the project (`validate`), so that the parse cache kept aside is as a
 * warm run leaves it: the measured runs restore it, and must not each pay a rewrite only the second run after a
 * change pays in production.
 */
export async function warmParseCache(alertcron: (args: string[], now: number | undefined, label: string) => Promise<Sample>, label: string, args: string[] = []): Promise<void> {
  await alertcron(['validate', ...args], undefined, `${label}-warm-cache`);
}
