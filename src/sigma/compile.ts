import { resolve } from 'node:path';
import { readInputFile } from '../util/readInputFile.js';
import { errorMessage } from '../util/errors.js';
import { oneLine } from '../util/text.js';
import { parseSigma } from './parse/parseSigma.js';
import { loadPipeline } from './pipeline/loadPipeline.js';
import { compileCorrelation } from './correlation/compileCorrelation.js';
import { compileRule } from './compileRule.js';
import { SigmaRefused } from './refused.js';
import type { CompiledSigma, SigmaCorrelation, SigmaDocument, SigmaOutput } from './types.js';

/** An alert's `sigma:` key: the rule file (relative to the alert file), its pipeline(s), the output, and which rule of several. */
export interface SigmaSpec {
  rule: string;
  pipeline?: string | string[];
  output?: SigmaOutput;
  id?: string;
}

/** A problem compiling a Sigma alert, in the file it lies in (absolute path) at its line and column when known. */
export interface SigmaCompileProblem {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

/** The pipeline a run has loaded, by the specs and folder they were named from: 1,000 alerts share one profile. */
const pipelines = new Map<string, ReturnType<typeof loadPipeline>>();

/**
 * Compiles the Sigma rule an alert names into its query: parses the file, picks the document (a correlation no
 * other one references, else the only rule, else the rule `id:` names), applies the pipeline and writes the output.
 */
export function compileSigmaAlert(spec: SigmaSpec, baseDir: string, defaults: { pipeline?: string | string[]; output?: SigmaOutput }): { compiled: CompiledSigma } | { problems: SigmaCompileProblem[] } {
  const file = resolve(baseDir, spec.rule);
  const read = readInputFile(file);
  if ('problem' in read) return { problems: [{ file, line: read.problem.line, col: read.problem.col, message: read.problem.message === 'does not exist' ? 'the Sigma rule file does not exist (sigma.rule is relative to the alert file)' : read.problem.message }] };
  const parsed = parseSigma(read.text);
  const picked = pickDocument(parsed.documents, spec.id);
  // A broken document matters unless the alert names another one that is fine.
  if (parsed.problems.length && (spec.id === undefined || 'problem' in picked)) return { problems: parsed.problems.map((p) => ({ file, line: p.line, col: p.col, message: p.message })) };
  if ('problem' in picked) return { problems: [{ file, line: 1, col: 1, message: picked.problem }] };
  const specs = spec.pipeline ?? defaults.pipeline ?? 'none';
  const loaded = pipelineFor(specs, baseDir);
  if ('problems' in loaded) return { problems: loaded.problems };
  const output = spec.output ?? defaults.output ?? 'dsl';
  const document = picked.document;
  try {
    let made: Omit<CompiledSigma, 'meta' | 'inputs'>;
    if (document.kind === 'correlation') made = compileCorrelation(document, lookupIn(parsed.documents), loaded.pipeline, output);
    else {
      const rule = compileRule(document, loaded.pipeline, output);
      made = { query: { query: rule.clause }, fields: rule.fields };
    }
    const meta = document.kind === 'correlation' ? withRuleAuthors(document, lookupIn(parsed.documents)) : document.meta;
    const siblingProblems = parsed.problems.map((p) => ({ line: p.line, col: p.col, message: p.message }));
    return { compiled: { ...made, meta, inputs: [file, ...loaded.inputs], ...(siblingProblems.length ? { siblingProblems } : {}) } };
  } catch (error) {
    const message = error instanceof SigmaRefused ? `refused: ${error.message}` : `cannot be compiled: ${errorMessage(error)}`;
    return { problems: [{ file, line: document.line, col: 1, message }] };
  }
}

/** A correlation's metadata crediting the authors of the rules it references too (each once, the correlation's first). */
function withRuleAuthors(correlation: SigmaCorrelation, lookup: (ref: string) => SigmaDocument | undefined): SigmaCorrelation['meta'] {
  const authors = [correlation.meta.author, ...correlation.rules.map((ref) => lookup(ref)?.meta.author)].filter((a): a is string => !!a);
  const unique = [...new Set(authors)];
  return unique.length ? { ...correlation.meta, author: unique.join(', ') } : correlation.meta;
}

/** Finds a document of the same file by the id or name a correlation refers to it by. */
function lookupIn(documents: SigmaDocument[]): (idOrName: string) => SigmaDocument | undefined {
  return (ref) => documents.find((d) => d.meta.id === ref || d.meta.name === ref);
}

/** The loaded pipeline for these specs, loaded once per folder and run. */
function pipelineFor(specs: string | string[], baseDir: string): ReturnType<typeof loadPipeline> {
  const key = JSON.stringify([specs, baseDir]);
  let loaded = pipelines.get(key);
  if (!loaded) {
    loaded = loadPipeline(specs, baseDir);
    pipelines.set(key, loaded);
  }
  return loaded;
}

/** Which document of a file an alert means: a correlation no other references, else the only rule, else the one `id` names. */
export function pickDocument(documents: SigmaDocument[], id: string | undefined): { document: SigmaDocument } | { problem: string } {
  const named = (d: SigmaDocument) => d.meta.id === id || d.meta.name === id;
  if (id !== undefined) {
    const found = documents.find(named);
    return found ? { document: found } : { problem: `holds no rule with id or name "${oneLine(id, 120)}" (it holds ${describe(documents)}): fix sigma.id` };
  }
  const correlations = documents.filter((d): d is SigmaCorrelation => d.kind === 'correlation');
  const referenced = new Set(correlations.flatMap((c) => c.rules));
  const top = correlations.filter((c) => !referenced.has(c.meta.id ?? '') && !referenced.has(c.meta.name ?? ''));
  if (top.length === 1) return { document: top[0]! };
  if (top.length > 1) return { problem: `holds ${top.length} correlation rules that none references (${describe(top)}): set sigma.id to the one this alert runs` };
  if (documents.length === 1) return { document: documents[0]! };
  if (!documents.length) return { problem: 'holds no Sigma rule' };
  return { problem: `holds ${documents.length} rules (${describe(documents)}): set sigma.id to the id or name of the one this alert runs` };
}

/** The documents as a problem names them: id or name and title, each one clean line (a rule's text may hold escapes and line breaks). */
function describe(documents: SigmaDocument[]): string {
  if (!documents.length) return 'none';
  return documents.map((d) => { const ref = d.meta.id ?? d.meta.name; const title = `"${oneLine(d.meta.title, 120)}"`; return ref !== undefined ? `${oneLine(ref, 120)} ${title}` : title; }).join(', ');
}


