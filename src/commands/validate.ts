import { resolve } from 'node:path';
import { checkTemplates } from '../config/checkTemplates.js';
import { loadProject } from '../config/loadProject.js';
import { formatProblem, type Problem } from '../config/problems.js';
import { readInputFile } from '../util/readInputFile.js';
import type { AlertDef, Config } from '../config/types.js';
import { parseYamlFile } from '../config/yamlDocument.js';
import { toPointer } from '../config/schemaCheck.js';
import { ExitCode } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** `alertcron validate`: loads everything, prints every problem at once, exits 2 if there is any. */
export async function validateCommand(options: { config: string }): Promise<number> {
  const { config, loaded } = await loadProject(options.config);
  const { alerts, disabled } = loaded;
  const problems = [...loaded.problems, ...(await templateProblems(config, alerts))];
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

/** Template names no finding can have, located in their files (runs still run such alerts: they render those names empty). */
async function templateProblems(config: Config, alerts: AlertDef[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const alert of alerts) {
    const found = checkTemplates(alert);
    if (!found.length) continue;
    const read = readInputFile(resolve(config.dir, alert.file));
    const yaml = 'text' in read ? await parseYamlFile(alert.file, read.text) : undefined;
    for (const { where, message } of found) {
      const { line, col } = yaml?.locate(where) ?? { line: 0, col: 0 };
      problems.push({ file: alert.file, line: line || undefined, col, path: toPointer(where), message });
    }
  }
  return problems;
}
