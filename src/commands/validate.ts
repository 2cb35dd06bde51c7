import { loadProject } from '../config/loadProject.js';
import { formatProblem } from '../config/problems.js';
import { ExitCode } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** `alertcron validate`: loads everything, prints every problem at once, exits 2 if there is any. */
export async function validateCommand(options: { config: string }): Promise<number> {
  const { config, loaded } = await loadProject(options.config);
  const { alerts, problems, disabled } = loaded;
  for (const problem of problems) console.error(redact(formatProblem(problem)));
  const files = new Set(problems.map((p) => p.file)).size;
  const summary = `${alerts.length} alert(s) valid, ${disabled.length} disabled, ${Object.keys(config.channels).length} channel(s)`;
  if (problems.length) {
    console.error(`${problems.length} problem(s) in ${files} file(s); ${summary}`);
    return ExitCode.invalidConfig;
  }
  console.log(`OK: ${summary}`);
  return ExitCode.ok;
}
