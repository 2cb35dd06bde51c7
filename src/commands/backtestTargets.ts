import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { AlertDef, Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { formatProblem } from '../config/problems.js';
import { ExitCode, UserError } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** One alert a backtest replays, and whether it was named (a folder's alerts that cannot be replayed are skipped, a named one is an error). */
export interface BacktestTarget {
  alert: AlertDef;
  named: boolean;
}

/**
 * The alerts `test <alert...> --backtest` replays, in the order given: an argument is an alert's name, or else a
 * folder (relative to the current folder) whose alert files the project loads, in the order of their files. The
 * problems of a folder's files that did not load are printed on stderr; an argument that is neither is an error.
 */
export function backtestTargets(args: readonly string[], config: Config, loaded: LoadedAlerts, cwd = process.cwd()): BacktestTarget[] {
  const targets: BacktestTarget[] = [];
  const add = (target: BacktestTarget) => {
    if (!targets.some((t) => t.alert.name === target.alert.name)) targets.push(target);
  };
  for (const arg of args) {
    const alert = loaded.alerts.find((a) => a.name === arg);
    if (alert) {
      add({ alert, named: true });
      continue;
    }
    const folder = resolve(cwd, arg);
    if (!isFolder(folder)) {
      for (const problem of loaded.problems) console.error(redact(formatProblem(problem)));
      const known = loaded.alerts.map((a) => a.name).join(', ');
      throw new UserError(`no alert named ${arg} could be loaded${known ? ` (alerts: ${known})` : ''}, nor is ${arg} a folder of alert files`, ExitCode.invalidConfig);
    }
    const inside = (file: string) => resolve(config.dir, file).startsWith(folder + sep);
    for (const problem of loaded.problems) if (inside(problem.file)) console.error(redact(formatProblem(problem)));
    const found = loaded.alerts.filter((a) => inside(a.file)).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    if (!found.length) throw new UserError(`the folder ${arg} holds no alert file the project loads (alerts_dir: ${config.alerts_dir})`, ExitCode.usage);
    for (const a of found) add({ alert: a, named: false });
  }
  return targets;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
