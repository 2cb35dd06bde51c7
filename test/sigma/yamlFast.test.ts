// The fast YAML reading (js-yaml with PyYAML's scalar rules) gives exactly the values of the careful one (the yaml
// package), on every Sigma fixture and on generated YAML; where it cannot be sure it declines and the careful one reads.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fastYamlDocuments } from '../../src/sigma/parse/fastYaml.js';
import { carefulYamlDocuments, yamlDocuments } from '../../src/sigma/parse/yamlDocuments.js';
import { REPO_ROOT } from '../support/project.js';

function ymlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? ymlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Asserts that the fast reading of `text`, when it reads it, equals the careful reading, lines included. */
function sameReading(text: string, label: string): boolean {
  const fast = fastYamlDocuments(text);
  const careful = carefulYamlDocuments(text);
  if (!fast) return false;
  assert.deepEqual(careful.flatMap((d) => d.problems), [], `${label}: the fast reading read a text with problems`);
  assert.deepEqual(fast.map((d) => d.value), careful.map((d) => d.value), label);
  const lines = (docs: { value: unknown; line: number }[]) => docs.map((d) => (d.value === null ? null : d.line));
  assert.deepEqual(lines(fast), lines(careful), `${label}: lines`);
  return true;
}

test('every Sigma fixture reads to the same values (and lines) fast and carefully; nearly all take the fast path', () => {
  const files = ymlFiles(join(REPO_ROOT, 'test', 'fixtures', 'sigma'));
  assert.ok(files.length > 100);
  let fast = 0;
  for (const file of files) if (sameReading(readFileSync(file, 'utf8'), file)) fast++;
  assert.ok(fast > files.length * 0.9, `${fast} of ${files.length} took the fast path`);
});

test("PyYAML's scalars: y, n, 0429 and 1e3 stay text; yes, off, 0x1F, 1:30, .inf, ~ and dates are values; odd keys decline", () => {
  const text = 'a: y\nb: n\nc: 0429\nd: 1e3\ne: yes\nf: off\ng: 0x1F\nh: 1:30\ni: .inf\nj: ~\nk: 2021-05-12\nl: 017\nm: 1.5e+3\nz:\n';
  assert.ok(sameReading(text, 'scalars'));
  assert.deepEqual(fastYamlDocuments(text)![0]!.value, { a: 'y', b: 'n', c: '0429', d: '1e3', e: true, f: false, g: 31, h: 90, i: Infinity, j: null, k: new Date(Date.UTC(2021, 4, 12)), l: 15, m: 1500, z: null });
  // A key whose reading differs (null is '' to the yaml package, 'null' to js-yaml; y and Y collide there) declines.
  for (const declined of ['~: a\n', 'null: a\n', 'y: a\nY: b\n', '2021-05-12: a\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', '? a\n: b\n', '[a]: b\n', 'a: 1\na: 2\n', 'a: [\n', 'a: { {key} }\n', 'a: { x, [b] }\n',
    // Where the yaml package finds a problem or reads otherwise and js-yaml would not (found in review): a directive,
    // a comment right after a closing quote, a flow collection over several lines.
    '%YAML 1.2\n---\nb: yes\n', 'd: "e"#f\n', 'a: [b,\n  c]\n'])
    assert.equal(fastYamlDocuments(declined), undefined, declined);
});

test('a problem found by the Sigma parser is located by the careful reading, at its exact line:col', () => {
  const docs = yamlDocuments('title: T\n---\ntitle: U\ndetection:\n  sel:\n    Image|endswith: x\n');
  assert.equal(docs[1]!.line, 3);
  assert.deepEqual(docs[1]!.locate(['detection', 'sel', 'Image|endswith']), { line: 6, col: 21 });
  assert.deepEqual(docs[1]!.locate(['detection', 'sel', 'Image|endswith'], true), { line: 6, col: 5 });
});

test('property: generated maps, lists and scalars (numbers, booleans, dates, quoted or not, odd keys) read the same fast and carefully', async () => {
  const { checkProperty, fc } = await import('../support/property.js');
  const { yamlTree } = await import('../support/yamlTree.js');
  const tree = yamlTree({
    tokens: [
      'y', 'Y', 'n', 'N', 'yes', 'No', 'ON', 'off', 'true', 'False', 'TRUE', 'null', 'Null', 'NULL', '~', '', '0429', '0o17', '017', '0b101',
      '0x1F', '0x_1', '1_000', '1e3', '1.5e+3', '1.5E-3', '.5', '1.', '+1', '-0', '0', '00', '08', '1:30', '-1:30:00', '190:20:30.15', '.inf',
      '-.Inf', '.NaN', '.nan', '2021-05-12', '2021-5-1', '2021-05-12T10:11:12Z', '2021-05-12 10:11:12.5 +02:00', '2021-05-12t10:11:12.123456-5',
      '2021/05/12', '12:00', '1.0', '3.14', '6.02e23', '0.1_2', '__proto__', 'a b', 'C:\\Windows', '*.exe', 'x*', 'cmd /c', 'from {{key}}', 'x [y]', '1_2:3', 'é', 'onion',
    ],
    wordChars: ['a', 'Z', '0', '1', '.', '-', '_', ':', '+', 'e', ' ', '\\', '/', '*', '#', 'x'],
    flowMaps: false,
  });
  const file = fc.array(tree, { minLength: 1, maxLength: 2 }).map((docs) => docs.map((lines) => lines.join('\n') + '\n').join('---\n'));
  let fastCount = 0;
  await checkProperty(
    'fast and careful YAML readings agree',
    fc.property(file, (yaml) => {
      if (sameReading(yaml, JSON.stringify(yaml))) fastCount++;
    }),
    1000,
  );
  assert.ok(fastCount > 0);
});
