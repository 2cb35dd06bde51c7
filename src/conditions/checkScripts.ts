import type { Problem } from '../config/problems.js';
import type { AlertDef } from '../config/types.js';
import { ScriptError, scriptSandbox } from './scriptSandbox.js';

/**
 * Loads the module of every script condition in the script sandbox, under the condition's time limit, and
 * returns one problem per module that cannot be used: a syntax error (with its line), no match export, a
 * load that never ends. `display` shows a path as the user writes it.
 */
export async function checkScripts(alerts: AlertDef[], display: (path: string) => string): Promise<{ problems: Problem[]; broken: Set<string> }> {
  const problems: Problem[] = [];
  const broken = new Set<string>();
  const checked = new Map<string, Problem | undefined>();
  for (const alert of alerts) {
    const condition = alert.condition;
    if (condition.type !== 'script') continue;
    if (!checked.has(condition.modulePath)) {
      let problem: Problem | undefined;
      try {
        await scriptSandbox().check(condition.modulePath, condition.timeout);
      } catch (error) {
        if (!(error instanceof ScriptError)) throw error;
        problem = { file: display(condition.modulePath), line: error.line, col: error.col, message: error.message };
        problems.push(problem);
      }
      checked.set(condition.modulePath, problem);
    }
    if (checked.get(condition.modulePath)) broken.add(alert.name);
  }
  return { problems, broken };
}
