// The Lucene output against its oracle, pySigma-backend-elasticsearch 2.1.1 (pinned in test/bench/requirements.txt):
// every rule of the SigmaHQ fixture corpus, no pipeline, byte for byte, both from pySigma's own condition trees
// (the output stage alone) and through our parser (the whole front half); a rule pySigma fails on we refuse too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import { SigmaRefused } from '../../src/sigma/refused.js';
import type { SigmaNode } from '../../src/sigma/types.js';
import { luceneQuery, toLucene } from '../../src/sigma/output/toLucene.js';
import { REPO_ROOT } from '../support/project.js';
import { runPySigma, type PySigmaEntry } from '../support/pySigma.js';

const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'rules');

function ruleFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? ruleFiles(path) : name.endsWith('.yml') ? [path] : [];
    });
}

/** Our Lucene text for a tree, or the refusal's message marked as such (any other error fails the test). */
function ours(tree: SigmaNode): string {
  try {
    return toLucene(tree);
  } catch (error) {
    if (error instanceof SigmaRefused) return `REFUSED: ${error.message}`;
    throw error;
  }
}

function compare(file: string, want: PySigmaEntry, got: string, failures: string[]): void {
  if (want.error) {
    if (!got.startsWith('REFUSED: ')) failures.push(`${file}: pySigma fails (${want.error}) but we wrote ${got}`);
    return;
  }
  const query = want.queries?.length === 1 ? want.queries[0] : want.queries;
  if (got !== query) failures.push(`${file}\n  pySigma: ${JSON.stringify(query)}\n  ours:    ${JSON.stringify(got)}`);
}

const files = ruleFiles(CORPUS);

test('the fixture corpus is there and representative (at least 200 SigmaHQ rules)', () => {
  assert.ok(files.length >= 200, `only ${files.length} rules under ${CORPUS}`);
});

test("toLucene of pySigma's own condition trees equals pySigma's Lucene for every fixture rule, byte for byte", async () => {
  const [lucene, trees] = await Promise.all([runPySigma({ files, mode: 'lucene' }), runPySigma({ files, mode: 'tree' })]);
  const failures: string[] = [];
  let compared = 0;
  for (const file of files) {
    (lucene[file] ?? []).forEach((want, index) => {
      const entry = trees[file]?.[index];
      assert.ok(entry, `pySigma gave no tree for ${file}`);
      compared++;
      const got = entry.tree ? ours(entry.tree as SigmaNode) : `REFUSED: ${entry.error}`;
      compare(file, want, got, failures);
    });
  }
  assert.ok(compared >= files.length, `compared ${compared} rules`);
  assert.deepEqual(failures, [], `${failures.length} of ${compared} rules differ:\n${failures.slice(0, 10).join('\n')}`);
});

test("toLucene through our parser equals pySigma's Lucene for every fixture rule; pySigma's failures are our refusals", async () => {
  const lucene = await runPySigma({ files, mode: 'lucene' });
  const failures: string[] = [];
  let identical = 0;
  let refused = 0;
  for (const file of files) {
    const parsed = parseSigma(readFileSync(file, 'utf8'));
    const rules = parsed.documents.filter((doc) => doc.kind === 'rule');
    const wants = lucene[file] ?? [];
    if (rules.length === 0) {
      assert.ok(parsed.problems.length > 0, `${file}: no rule and no problem`);
      for (const want of wants) compare(file, want, `REFUSED: ${parsed.problems[0]!.message}`, failures);
      refused += wants.length;
      continue;
    }
    assert.equal(rules.length, wants.length, `${file}: ${rules.length} rules parsed, pySigma saw ${wants.length}`);
    rules.forEach((rule, index) => {
      const got = ours(rule.condition);
      compare(file, wants[index]!, got, failures);
      if (!got.startsWith('REFUSED: ')) identical += got === wants[index]!.queries?.[0] ? 1 : 0;
    });
  }
  assert.deepEqual(failures, [], `${failures.length} rules differ:\n${failures.slice(0, 10).join('\n')}`);
  assert.ok(identical > 0 && identical + refused >= files.length, `identical ${identical}, refused ${refused}`);
});

test("luceneQuery wraps the text as pySigma's dsl_lucene format does", async () => {
  const sample = files.slice(0, 20);
  const [wrapped, trees] = await Promise.all([runPySigma({ files: sample, mode: 'dsl_lucene' }), runPySigma({ files: sample, mode: 'tree' })]);
  let checked = 0;
  for (const file of sample) {
    (wrapped[file] ?? []).forEach((want, index) => {
      const tree = trees[file]?.[index]?.tree as SigmaNode | undefined;
      if (want.error || !tree) return;
      assert.deepEqual({ query: luceneQuery(toLucene(tree)) }, want.queries?.[0], file);
      checked++;
    });
  }
  assert.ok(checked >= 15, `only ${checked} rules checked`);
});
