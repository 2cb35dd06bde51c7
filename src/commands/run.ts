import { runAlerts } from '../run/runAlerts.js';
import { printErrors, printFindings, printJson } from './printReport.js';

/** Options of `alertcron run`. */
export interface RunCommandOptions {
  config: string;
  only?: string[];
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** `alertcron run`: one run of every due alert; quiet on success, one line per error on stderr. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const report = await runAlerts({ configFile: options.config, only: options.only, dryRun: options.dryRun });
  if (options.json) printJson(report);
  else if (options.dryRun || options.verbose) printFindings(report, !!options.dryRun);
  printErrors(report);
  return report.exitCode;
}
