// The condition trees our own parser (and, once merged, pipelines) make of each rule of some files, for the comparison script.
import { readFileSync } from 'node:fs';
import { parseSigma } from '../../../src/sigma/parse/parseSigma.js';
import type { SigmaNode } from '../../../src/sigma/types.js';

/** Each file's rules in order: the tree our parser made, or why it could not (pipelines: not wired here yet). */
export async function ourTrees(files: string[], pipelines: string[]): Promise<Map<string, ({ tree: SigmaNode } | { error: string })[]>> {
  if (pipelines.length > 0) throw new Error('--pipeline needs the pipelines (d3) wired into test/sigma/dev/ourTrees.ts; use --trees to compare with pipelines applied by pySigma');
  return new Map(
    files.map((file) => {
      const parsed = parseSigma(readFileSync(file, 'utf8'));
      const rules: ({ tree: SigmaNode } | { error: string })[] = parsed.documents.flatMap((doc) => (doc.kind === 'rule' ? [{ tree: doc.condition }] : []));
      for (const problem of parsed.problems) rules.push({ error: problem.message });
      return [file, rules];
    }),
  );
}
