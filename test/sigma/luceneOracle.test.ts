// The Lucene output against its oracle, pySigma-backend-elasticsearch 2.1.1 (pinned in test/bench/requirements.txt):
// every rule of the SigmaHQ fixture corpus, no pipeline, byte for byte, both from pySigma's own condition trees
// (the output stage alone) and through our parser (the whole front half); a rule pySigma fails on we refuse too.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Detections for what the Sigma specification allows and no SigmaHQ rule uses (exists, gt..., cased, re flags m/s, them ...). */
const SPEC_CASES = [
  "sel:\n  a|cased: ['x', 'y']\ncondition: sel",
  "sel:\n  a|cased: 'x'\ncondition: sel",
  'sel:\n  a|exists: true\n  b|exists: false\ncondition: sel',
  'sel:\n  a|exists: false\ncondition: not sel',
  'sel:\n  a|gt: 5\n  b|lte: 2.5\n  c|lt: -3\n  d|gte: 0\ncondition: sel',
  "sel:\n  a|re|m|s: '^x.y$'\n  b|re|i|s: 'a/b'\ncondition: sel",
  "kw:\n  - 42\n  - 'a b*c'\n  - ''\ncondition: kw",
  'sel:\n  a: null\ncondition: not sel',
  'sel:\n  a: null\nother:\n  b: 1\ncondition: sel or not other',
  "sel:\n  'my field': 'x y'\n  'f*': 'v'\ncondition: sel",
  "sel:\n  a|wide|base64offset|contains: 'abc'\ncondition: sel",
  "sel:\n  a|windash|contains: ['-a', '-b']\ncondition: sel and not sel",
  "sel:\n  a|base64offset|contains: 'abc'\ncondition: not sel",
  "sel:\n  a|cidr: ['10.0.0.0/8', '2001:DB8::/32']\ncondition: sel",
  "sel:\n  a: ['x', 1, true]\ncondition: sel",
  'sel1:\n  a: x\nsel2:\n  b: z\n_priv:\n  c: w\ncondition: 1 of them',
  "sel:\n  a|contains|all: ['x']\n  b|all: ['p', 'q']\ncondition: sel",
  "sel:\n  a: 'C:\\Program Files\\x'\n  b: 'quote\"d'\ncondition: sel",
  'sel:\n  - a: x\n  - b: z\ncondition: not (sel or sel)',
  'sel:\n  a: 1.0\n  b: 100000000000000000000\ncondition: sel',
];

test("spec features no SigmaHQ rule uses give pySigma's Lucene through our parser, and its failures are our refusals", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-spec-d2-'));
  try {
    const specFiles = SPEC_CASES.map((detection, index) => {
      const file = join(dir, `spec${index}.yml`);
      const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
      writeFileSync(file, `title: spec ${index}\nid: ${id}\nlogsource: {product: windows}\ndetection:\n${detection.replace(/^/gm, '  ')}\n`);
      return file;
    });
    const lucene = await runPySigma({ files: specFiles, mode: 'lucene' });
    const failures: string[] = [];
    for (const file of specFiles) {
      const parsed = parseSigma(readFileSync(file, 'utf8'));
      const rule = parsed.documents[0];
      assert.ok(rule?.kind === 'rule', `${file}: ${JSON.stringify(parsed.problems)}`);
      compare(readFileSync(file, 'utf8'), lucene[file]![0]!, ours(rule.condition), failures);
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
