import { dirname, resolve } from 'node:path';
import type { AlertBase } from '../../model/alert.js';
import type { SigmaSpec } from '../../sigma/compile.js';
import { sigmaCompiler } from '../../sigma/lazyCompiler.js';
import { sigmaMessage, sigmaTemplateValues, sigmaTitle } from '../../sigma/meta.js';
import type { CompiledSigma } from '../../sigma/types.js';
import type { AlertContext, SourceProblem } from '../types.js';

/** What a Sigma alert keeps of its compiled rule besides the query: the fields it reads and the files compiling read. */
export interface SigmaRuleRef {
  /** The Sigma rule file (absolute). */
  file: string;
  /** Problems of the file's other documents (the alert runs the one sigma.id names): validate and run warn of them. */
  siblingProblems?: { line: number; col: number; message: string }[];
  fields: string[];
  inputs: string[];
}

/**
 * Compiles the rule of an alert's `sigma:` key, or says why not: a problem of the Sigma or pipeline file at its own
 * line and column (naming the alert it makes invalid), a query: beside sigma:, a level no channel is routed to.
 */
export function checkSigma(raw: Record<string, unknown>, context: AlertContext, problems: SourceProblem[]): CompiledSigma | undefined {
  const spec = raw.sigma as SigmaSpec | undefined;
  if (!spec || typeof spec !== 'object' || typeof spec.rule !== 'string') return undefined; // the schema says what is wrong
  if (raw.query !== undefined) problems.push({ path: ['query'], message: 'an alert with sigma: takes its query from the Sigma rule: remove query: (or sigma:)' });
  const result = sigmaCompiler()(spec, dirname(context.path), context.defaults.sigma ?? {});
  if ('problems' in result) {
    for (const p of result.problems) {
      const where: (string | number)[] = p.file === resolve(dirname(context.path), spec.rule) ? ['sigma', 'rule'] : ['sigma', 'pipeline'];
      const file = context.display(p.file);
      problems.push(p.line ? { path: where, message: p.message, in: { file, line: p.line, col: p.col ?? 1 } } : { path: where, message: `${file}: ${p.message}` });
    }
    return undefined;
  }
  const compiled = result.compiled;
  if (compiled.condition && raw.condition !== undefined) problems.push({ path: ['condition'], message: 'the Sigma correlation rule sets this alert\'s condition: remove condition:' });
  if (compiled.group_by && raw.group_by !== undefined) problems.push({ path: ['group_by'], message: 'the Sigma correlation rule\'s group-by is this alert\'s key: remove group_by:' });
  if (raw.notify === undefined && !routedChannels(compiled, context)) {
    const level = compiled.meta.level;
    problems.push({ path: ['sigma'], message: level ? `no notify: and defaults.sigma.notify routes no channel for level ${level}: add notify: [channel] here, or defaults.sigma.notify.${level} in alertcron.yaml` : 'no notify: and the Sigma rule has no level to route by: add notify: [channel]' });
  }
  return compiled;
}

/** The channels defaults.sigma.notify routes this rule's level to, if any. */
function routedChannels(compiled: CompiledSigma, context: AlertContext): string[] | undefined {
  const level = compiled.meta.level;
  const channels = level ? context.defaults.sigma?.notify?.[level] : undefined;
  return channels?.length ? channels : undefined;
}

/** A Sigma alert's common part: notify by level when it has none, the rule's metadata for templates, the default title and message (always attributed to the author). */
export function completeSigmaBase(raw: Record<string, unknown>, base: AlertBase, compiled: CompiledSigma, context: AlertContext): AlertBase {
  // Object.assign, not a literal starting with `...base` (cloned the slow way in a fresh process: see completeAlert);
  // the part assigned is typed, so a field missing or misspelled here does not compile.
  const own: Pick<AlertBase, 'notify' | 'sigma' | 'title' | 'message'> = {
    notify: (raw.notify as string[] | undefined) ?? routedChannels(compiled, context) ?? [],
    sigma: sigmaTemplateValues(compiled.meta),
    title: typeof raw.title === 'string' ? raw.title : sigmaTitle(raw.group_by !== undefined || compiled.group_by !== undefined),
    message: sigmaMessage(raw.message as string | undefined, compiled.meta),
  };
  return Object.assign({}, base, own);
}
