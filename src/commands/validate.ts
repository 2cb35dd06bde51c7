import { checkScripts } from '../conditions/checkScripts.js';
import { displayPath } from '../config/loadAlerts.js';
import { loadProject } from '../config/loadProject.js';
import { formatProblem } from '../config/problems.js';
import { ExitCode } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** `alertcron validate`: loads everything (scripts too), prints every problem at once, exits 2 if there is any. */
export async function validateCommand(options: { config: string }): Promise<number> {
  const { config, loaded } = await loadProject(options.config);
  const { alerts, disabled } = loaded;
  const scripts = await checkScripts(alerts, (path) => displayPath(config, path));
  const problems = [...loaded.problems, ...scripts.problems];
  for (const problem of problems) console.error(redact(formatProblem(problem)));
  const files = new Set(problems.map((p) => p.file)).size;
  const valid = alerts.filter((alert) => !scripts.broken.has(alert.name)).length;
  const summary = `${valid} alert(s) valid, ${disabled.length} disabled, ${Object.keys(config.channels).length} channel(s)`;
  if (problems.length) {
    console.error(`${problems.length} problem(s) in ${files} file(s); ${summary}`);
    return ExitCode.invalidConfig;
  }
  console.log(`OK: ${summary}`);
  return ExitCode.ok;
}
