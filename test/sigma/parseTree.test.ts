// The parser against pySigma 1.5.1 (the oracle venv): for every rule of the fixture corpus (250 real SigmaHQ rules and
// the spec cases), our condition tree must deep-equal pySigma's, and a rule we refuse pySigma must refuse too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import type { SigmaRule } from '../../src/sigma/types.js';
import { REPO_ROOT } from '../support/project.js';
import { runPySigma } from '../support/pySigma.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'sigma');
/** Spec cases where the specification and pySigma part ways (utf16le unknown to pySigma, its BOM): parseValues.test.ts checks them. */
const NOT_PYSIGMA = new Set(['utf16.yml']);

function ruleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'correlation' ? [] : ruleFiles(path);
    return entry.name.endsWith('.yml') && !NOT_PYSIGMA.has(entry.name) ? [path] : [];
  });
}

test('every fixture rule parses to the condition tree pySigma builds (no pipeline), and what we refuse pySigma cannot convert', async () => {
  const files = [...ruleFiles(join(FIXTURES, 'rules')), ...ruleFiles(join(FIXTURES, 'spec'))];
  assert.ok(files.length >= 250, `only ${files.length} fixture files`);
  const oracle = await runPySigma({ files, mode: 'tree' });
  let compared = 0;
  const refused: { file: string; title: string; message: string }[] = [];
  for (const file of files) {
    const parsed = parseSigma(readFileSync(file, 'utf8'));
    const rules = parsed.documents.filter((d): d is SigmaRule => d.kind === 'rule');
    for (const entry of oracle[file]!) {
      const ours = rules.find((rule) => rule.meta.title === entry.title && (rule.meta.id ?? null) === entry.id);
      if (entry.error) {
        assert.equal(ours, undefined, `${file}: pySigma refuses '${entry.title}' (${entry.error}) but we parsed it`);
        continue;
      }
      if (!ours) {
        assert.ok(parsed.problems.length, `${file}: '${entry.title}' is missing and no problem says why`);
        refused.push({ file, title: entry.title!, message: parsed.problems.map((p) => p.message).join('; ') });
        continue;
      }
      assert.deepEqual(JSON.parse(JSON.stringify(ours.condition)), entry.tree, `${file}: '${entry.title}'`);
      compared++;
    }
  }
  assert.ok(compared >= 240, `only ${compared} trees compared`);
  // The corpus holds fieldref and expand rules on purpose: pySigma builds their trees but its backend refuses them.
  assert.ok(refused.length >= 4, `expected the corpus's fieldref/expand rules to be refused, got ${refused.length}`);
  const lucene = await runPySigma({ files: [...new Set(refused.map((r) => r.file))], mode: 'lucene' });
  for (const { file, title, message } of refused) {
    const entry = lucene[file]!.find((e) => e.title === title)!;
    assert.ok(entry.error, `${file}: we refuse '${title}' (${message}) but pySigma converts it`);
    const reason = /field references/.test(entry.error) ? "can't handle field references" : /placeholder '([^']+)'/.exec(entry.error)?.[0];
    assert.ok(reason && message.includes(reason), `${file}: our reason "${message}" does not carry pySigma's "${entry.error}"`);
  }
});
