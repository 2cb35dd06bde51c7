// The Sigma alert's template values, default message and attribution line, and which document of a file an alert runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickDocument } from '../../src/sigma/compile.js';
import { attackTechniques, sigmaMessage, sigmaTemplateValues } from '../../src/sigma/meta.js';
import type { SigmaDocument, SigmaMeta } from '../../src/sigma/types.js';
import { checkProperty, fc } from '../support/property.js';

const meta = (extra: Partial<SigmaMeta> = {}): SigmaMeta => ({ title: 'T', tags: [], falsepositives: [], references: [], ...extra });
const rule = (id: string, title = id): SigmaDocument => ({ kind: 'rule', meta: meta({ id, title }), logsource: {}, condition: { type: 'match', field: 'a', value: { type: 'null' } }, fields: [], line: 1 });
const correlation = (id: string, rules: string[]): SigmaDocument => ({ kind: 'correlation', meta: meta({ id }), type: 'event_count', rules, groupBy: [], timespan: 60_000, aliases: {}, generate: false, line: 1 });

test('ATT&CK technique ids come from attack.tNNNN tags, sub-techniques kept, tactics and other tags left out', () => {
  assert.deepEqual(attackTechniques(['attack.discovery', 'attack.t1033', 'attack.T1059.001', 'car.2016-03-001', 'attack.t1033', 'attack.g0016', 'attack.t10']), ['T1033', 'T1059.001']);
  assert.equal(sigmaTemplateValues(meta({ tags: ['attack.t1033', 'attack.s0002'], falsepositives: ['a', 'b'] })).attack, 'T1033');
});

test('the default message leaves out lines without a value and always names the author', () => {
  assert.equal(sigmaMessage(undefined, meta({ author: 'A' })), 'Sigma rule "{{sigma.title}}" (level {{sigma.level}}) matched {{count}} events for {{key}} between {{from}} and {{to}}.\nSigma rule by {{sigma.author}} (DRL 1.1)');
  // The author line comes second, before what a channel that cuts a long message would cut first.
  assert.match(sigmaMessage(undefined, meta({ author: 'A', tags: ['attack.t1033'], description: 'd' })), /^[^\n]*\nSigma rule by \{\{sigma\.author\}\} \(DRL 1\.1\)\n\{\{sigma\.description\}\}\nATT&CK: \{\{sigma\.attack\}\}$/);
  assert.match(sigmaMessage(undefined, meta()), /^[^\n]*\nSigma rule "\{\{sigma\.title\}\}", author not named \(DRL 1\.1\)$/);
});

test('generated user messages: the author line is added exactly when the message does not use {{sigma.author}}', async () => {
  const piece = fc.constantFrom('{{sigma.author}}', '{{ sigma.author }}', '{{sigma.authors}}', '{{sigma.title}}', 'text', '{{author}}', '{sigma.author}', '\n');
  await checkProperty(
    'author line',
    fc.property(fc.array(piece, { maxLength: 6 }).map((p) => p.join('')), (message) => {
      const out = sigmaMessage(message, meta({ author: 'A' }));
      const named = /\{\{\s*sigma\.author\s*\}\}/.test(message);
      assert.equal(out, named ? message : `${message}\n\nSigma rule by {{sigma.author}} (DRL 1.1)`);
    }),
    300,
  );
});

test('which document an alert runs: an unreferenced correlation, else the only rule, else the one id names', () => {
  const a = rule('a');
  const b = rule('b');
  assert.deepEqual(pickDocument([a], undefined), { document: a });
  const several = pickDocument([a, b], undefined);
  assert.ok('problem' in several && /holds 2 rules \(a "a", b "b"\): set sigma\.id/.test(several.problem), JSON.stringify(several));
  assert.deepEqual(pickDocument([a, b], 'b'), { document: b });
  assert.match((pickDocument([a, b], 'c') as { problem: string }).problem, /no rule with id or name "c" \(it holds a "a", b "b"\)/);
  const inner = correlation('c1', ['a']);
  const outer = correlation('c2', ['c1', 'b']);
  assert.deepEqual(pickDocument([a, b, inner, outer], undefined), { document: outer });
  assert.match((pickDocument([a, b, inner, correlation('c3', ['b'])], undefined) as { problem: string }).problem, /2 correlation rules that none references/);
});
