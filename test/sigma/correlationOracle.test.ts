import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileCorrelation } from '../../src/sigma/correlation/compileCorrelation.js';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import { SigmaRefused } from '../../src/sigma/refused.js';
import type { SigmaCorrelation } from '../../src/sigma/types.js';
import { ensureVenv } from '../support/pythonVenv.js';
import { testPipeline } from './correlationPipeline.js';

// pySigma's ES|QL backend (pySigma-backend-elasticsearch 2.1.1) writes a correlation's comparison as
// `| where event_count >= 3`: for each operator and bound, the counts for which alertcron's rule type fires must be
// exactly those for which pySigma's comparison holds (a group exists only with one event or more).
const CONVERT = `
import json, sys
from sigma.collection import SigmaCollection
from sigma.backends.elasticsearch import ESQLBackend
out = {}
for path in sys.argv[1:]:
    try:
        queries = ESQLBackend().convert(SigmaCollection.load_ruleset([path]))
        out[path] = queries[-1].splitlines()[-1]
    except Exception as e:
        out[path] = 'error: ' + str(e)
print(json.dumps(out))
`;

const RULE = `---
title: Whoami execution
name: whoami_execution
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
`;

function correlationFile(type: string, op: string, bound: number): string {
  const field = type === 'value_count' ? '        field: User\n' : '';
  return `title: ${type} ${op} ${bound}\ncorrelation:\n    type: ${type}\n    rules:\n        - whoami_execution\n    group-by:\n        - Computer\n    timespan: 5m\n    condition:\n${field}        ${op}: ${bound}\n${RULE}`;
}

/** Whether the compiled condition fires for a group whose count (events or distinct values) in the timespan is `c`. */
function fires(condition: Record<string, unknown>, c: number): boolean {
  if (condition.type === 'frequency') return c >= (condition.num_events as number);
  if (condition.type === 'flatline') return c < (condition.threshold as number);
  if (condition.type === 'cardinality') {
    const { max_cardinality: max, min_cardinality: min } = condition as { max_cardinality?: number; min_cardinality?: number };
    return (max !== undefined && c > max) || (min !== undefined && c < min);
  }
  throw new Error(`unexpected condition ${JSON.stringify(condition)}`);
}

const OPS: Record<string, (a: number, b: number) => boolean> = { '>': (a, b) => a > b, '>=': (a, b) => a >= b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b };

test('event_count and value_count: alertcron fires for exactly the counts pySigma\'s ES|QL comparison accepts, or refuses the operator', async () => {
  const side = await ensureVenv();
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-corr-oracle-'));
  try {
    const cases: { path: string; type: string; op: string; bound: number }[] = [];
    for (const type of ['event_count', 'value_count']) {
      for (const op of ['gt', 'gte', 'lt', 'lte', 'eq', 'neq']) {
        for (const bound of [1, 2, 5]) {
          const path = join(dir, `${type}_${op}_${bound}.yml`);
          writeFileSync(path, correlationFile(type, op, bound));
          cases.push({ path, type, op, bound });
        }
      }
    }
    const run = spawnSync(side.python, ['-c', CONVERT, ...cases.map((c) => c.path)], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const answers = JSON.parse(run.stdout) as Record<string, string>;
    const refused: string[] = [];
    for (const { path, type, op, bound } of cases) {
      const where = /^\| where (?:event_count|value_count) (\S+) (\d+)$/.exec(answers[path]!);
      assert.ok(where, `pySigma's answer for ${type} ${op} ${bound}: ${answers[path]}`);
      const holds = OPS[where[1]!]!;
      assert.equal(Number(where[2]), bound);
      const parsed = parseSigma(readFileSync(path, 'utf8'));
      assert.deepEqual(parsed.problems, []);
      const lookup = (ref: string) => parsed.documents.find((d) => d.meta.name === ref);
      let condition: Record<string, unknown>;
      try {
        condition = compileCorrelation(parsed.documents[0] as SigmaCorrelation, lookup, testPipeline(), 'dsl').condition!;
      } catch (e) {
        assert.ok(e instanceof SigmaRefused, String(e));
        refused.push(`${type} ${op}`);
        continue;
      }
      for (let c = 1; c <= bound + 3; c++) assert.equal(fires(condition, c), holds(c, bound), `${type} ${op}: ${bound} with a count of ${c}`);
    }
    // What no rule type means exactly (see docs/sigma-correlations.md): refused for every bound.
    assert.deepEqual([...new Set(refused)], ['event_count eq', 'event_count neq', 'value_count eq']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

