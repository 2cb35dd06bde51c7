import { ScriptError } from '../rules/scriptError.js';
import { scriptSandbox } from '../rules/scriptSandbox.js';
import type { Problem } from './problems.js';
import type { AlertDef } from './types.js';

/**
 * Loads the module of every script condition in the script sandbox, under the condition's time limit, and
 * returns one problem per module that cannot be used: a syntax error (with its line), no match export, a
 * load that never ends; `broken` names the alerts whose script is one of them. `display` shows a path as the
 * user writes it (from the configuration folder).
 */
export async function checkScripts(alerts: AlertDef[], display: (path: string) => string): Promise<{ problems: Problem[]; broken: Set<string> }> {
  const problems: Problem[] = [];
  const broken = new Set<string>();
  const checked = new Map<string, Problem | undefined>();
  for (const alert of alerts) {
    if (alert.source !== 'elasticsearch' || alert.condition.type !== 'script') continue;
    const { modulePath, timeout } = alert.condition;
    if (!checked.has(modulePath)) {
      let problem: Problem | undefined;
      try {
        await scriptSandbox().check(modulePath, timeout);
      } catch (error) {
        if (!(error instanceof ScriptError)) throw error;
        const { path, line, col, message } = error.failure;
        problem = { file: display(path ?? modulePath), ...(line ? { line, col } : {}), message };
        problems.push(problem);
      }
      checked.set(modulePath, problem);
    }
    if (checked.get(modulePath)) broken.add(alert.name);
  }
  return { problems, broken };
}
