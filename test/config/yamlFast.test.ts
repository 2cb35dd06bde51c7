// The fast reading of config and alert files (js-yaml with the yaml package's YAML 1.2 core scalars) gives exactly the
// values of the careful one (the yaml package) on every YAML fixture and on generated YAML; where it cannot be sure it
// declines, and problems are still placed by the careful reading.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { simpleYamlValue } from '../../src/config/simpleYaml.js';
import { carefulYamlFile, parseYamlFile, readsFast, readsSimply } from '../../src/config/yamlDocument.js';
import { stringify } from 'yaml';
import { REPO_ROOT, type Project } from '../support/project.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Asserts that parseYamlFile's reading of `text` equals the careful one; true when it took the fast path. */
async function sameReading(text: string, label: string): Promise<boolean> {
  const read = await parseYamlFile('f.yaml', text);
  const careful = carefulYamlFile('f.yaml', text);
  assert.deepEqual(read.problems, careful.problems, `${label}: problems`);
  assert.deepEqual(read.value, careful.value, label);
  if (!readsFast(text)) return false;
  assert.deepEqual(careful.problems, [], `${label}: the fast reading read a text with problems`);
  return true;
}

test('every YAML fixture, example and alert reads to the same values fast and carefully; most take the fast path', async () => {
  const files = [...yamlFiles(join(REPO_ROOT, 'alerts')), ...yamlFiles(join(REPO_ROOT, 'test', 'fixtures')).filter((f) => !f.includes(join('fixtures', 'sigma')))];
  assert.ok(files.length > 50, `${files.length} files`);
  let fast = 0;
  for (const file of files) if (await sameReading(readFileSync(file, 'utf8'), file)) fast++;
  assert.ok(fast > files.length * 0.6, `${fast} of ${files.length} took the fast path`);
});

test("the alert files yaml.stringify writes (as the bench's: a long message folded over two lines) and every example alert take the fast path", async () => {
  const { writeAlertcronAlerts } = await import('../bench/alerts.js');
  const written: string[] = [];
  const collect = { writeAlert: (_: string, alert: Record<string, unknown> | string) => written.push(typeof alert === 'string' ? alert : stringify(alert)), writeQuery: () => {} };
  writeAlertcronAlerts(collect as unknown as Project, 300);
  assert.ok(written.some((text) => /^message: "[^"\n]*\n {2}\S/m.test(text)), 'some message is folded over two lines');
  const examples = yamlFiles(join(REPO_ROOT, 'alerts')).map((file) => readFileSync(file, 'utf8'));
  let fast = 0;
  for (const [i, text] of [...written, ...examples].entries()) if (await sameReading(text, `file ${i}`)) fast++;
  assert.equal(fast, written.length + examples.length);
  // The bench's alerts need no YAML library at all (the cold start of issue 29).
  assert.deepEqual(written.filter((text) => !readsSimply(text)), []);
  for (const text of ['a: "x\n  y"\n', '- "x\n  y"\n', "k: 'it''s\n    y' # c\n", 'a: from {{key}}\nb: "{{to}}: x"\n']) assert.ok(await sameReading(text, JSON.stringify(text)), JSON.stringify(text));
});

test("YAML 1.2 scalars: yes, off, 1:30 and dates stay text; 0429, 0o17, 0x1F, .inf, ~ are values; odd keys decline; a fast file's values are still located", async () => {
  const text = 'a: yes\nb: off\nc: 0429\nd: 1:30\ne: 2021-05-12\nf: 0o17\ng: 0x1F\nh: .inf\ni: ~\nj: 1e3\nk: True\nl: -0\nz:\n';
  assert.ok(await sameReading(text, 'scalars'));
  const read = await parseYamlFile('f.yaml', text);
  assert.deepEqual(read.value, { a: 'yes', b: 'off', c: 429, d: '1:30', e: '2021-05-12', f: 15, g: 31, h: Infinity, i: null, j: 1000, k: true, l: -0, z: null });
  assert.deepEqual(read.locate(['g']), { line: 7, col: 4 });
  assert.deepEqual(read.locate(['g'], true), { line: 7, col: 1 });
  for (const declined of ['~: a\n', 'null: a\n', '1: a\n', 'true: a\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', '? a\n: b\n', '[a]: b\n', 'a: 1\na: 2\n', 'a: [\n', '%YAML 1.1\n---\na: yes\n', 'a: 1\n---\nb: 2\n', '', '# only\n', '5\n', 'a: { {key} }\n', 'a: { x, [b] }\n', 'a: {\n  [b, c] }\n', `${'k'.repeat(1100)}: 1\n`, 'a: "x\ny"\n', '- a: "x\n  y"\n', 'a: "x\n\n  y"\n', 'a: "x\\\n  y"\n', '"x\n y": 1\n', 'a: "x\n  y" z\n', 'a: [b]#c\n', 'a: [b]: c\n', 'a: [b,\nc]\n', 'a: {b: 1,\nc: 2}\n', 'a: !\n'])
    assert.equal(readsFast(declined), false, JSON.stringify(declined));
});

test('the line-by-line reading: block scalars, quoted text folded or escaped, flow lists, comments, nested lists read as the yaml package reads them; anything unsure declines', async () => {
  const simple = [
    'a: |\n  x\n   y\n\n  z\n\nb: 1\n',
    'a: |-\n  x\n  y\nb: >\n  p\n  q\n\n  r\n\n\n  s\nc: >-\n  t\n',
    'a: |\n\n  x\n',
    'a: |\nb: 2\n',
    'a: "x\\ty\\u00e9\\x41\\"q\\\\" # c\nb: \'it\'\'s\'\n',
    'a: "x\n  y\n   z"\nb: [p, "q r", 1, true, ~]\nc: []\nd: {}\n',
    '# head\na:\n  # inner\n  b: x # tail\n  c:\n  - 1\n  -  k: v\n     l: w\n  - - nested\nd: e#f\n',
    'a:\n- x\n- y\nb:\n  - z\nc:\n',
    'list:\n  - key: "x\n      y"\n    other: 2\n',
    'a: -1\nb: -x\nc: :x\nd: ?x\ne: x: y\n',
    'a: x\n  y\n',
    'a: x\nb: "y"z\n',
    'a: 1\n b: 2\n',
    'a: >\n\n  x\n\n  y\n  z\n',
    'a: |\n  x',
    'a: >\n  x\n  y',
    'a: |\n  x\n  # c\nb: 1\n',
    'a: |\n  x\n# c\nb: 1\n',
    'a: x # c\n  # d\nb: 1\n',
  ];
  let simply = 0;
  for (const text of simple) {
    await sameReading(text, JSON.stringify(text));
    if (readsSimply(text)) simply++;
  }
  assert.ok(simply >= 8, `${simply} read line by line`);
  // Unicode spaces in a one-line list are text to YAML (JavaScript's trim() would drop them): never read line by line,
  // read as the yaml package reads them, and a broken one stays a problem.
  for (const text of ['a: [x\u00a0]\n', 'a: [\u00a0]\n', 'a: [\u3000x, y]\n']) {
    assert.equal(readsSimply(text), false, JSON.stringify(text));
    await sameReading(text, JSON.stringify(text));
  }
  assert.ok((await parseYamlFile('a.yaml', 'a: ["x"\u00a0]\n')).problems.length > 0, 'a no-break space after a quoted item is the error it is for the yaml package');
  // A long double-quoted text folded over many lines reads in time linear in its length (trailing spaces of each line only).
  const lines = 20_000;
  const long = `a: "x\n${'  abcdefghijklmnopqrstuvwxyz0123456789   \n'.repeat(lines)}  end"\n`;
  const folded = (await parseYamlFile('long.yaml', long)).value as { a: string };
  assert.equal(folded.a, `x ${Array.from({ length: lines }, () => 'abcdefghijklmnopqrstuvwxyz0123456789').join(' ')} end`);
  assert.ok(readsSimply(long));
  // Lines of many escapes (as long as a line read so may be) read as the yaml package reads them, each part of a line
  // searched about once (the characters String#indexOf passes over are counted, not timed): not the rest of the line
  // again after every escape (an escaped quote only at the end, where it would cut short every search for a quote).
  const escapes = Array.from({ length: 50 }, (_, k) => `k${k}: "${'ab\\\\d\\u00e9e\\n\\x41 '.repeat(52)}\\"end" # c\n`).join('');
  assert.ok(escapes.split('\n').slice(0, -1).every((line) => line.length > 900 && line.length <= 1024), 'lines near the longest read');
  assert.ok(readsSimply(escapes), 'read line by line');
  await sameReading(escapes, 'lines of escapes');
  const realIndexOf = String.prototype.indexOf;
  let passed = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number) {
    const at = realIndexOf.call(this, search, from);
    passed += (at < 0 ? this.length : at) - (from ?? 0);
    return at;
  };
  let read: unknown;
  try {
    read = simpleYamlValue(escapes);
  } finally {
    String.prototype.indexOf = realIndexOf;
  }
  assert.deepEqual(read, { value: carefulYamlFile('f.yaml', escapes).value });
  assert.ok(passed < 10 * escapes.length, `${passed} characters searched in a text of ${escapes.length}`);
  for (const declined of ['a: |2\n   x\n', 'a: |+\n  x\n\n', 'a: >\n  x\n    y\n', 'a: |\n  x\n  \n  y\n', 'a: "x\\\n  y"\n', 'a: "x\n\n  y"\n', "a: 'x\n  y'\n", 'a: [b,\n  c]\n', 'a: {b: 1}\n', '__proto__: 1\n', 'a: b\n\t c: d\n', 'a: x #\n  y\n', '- a\n'])
    assert.equal(readsSimply(declined), false, JSON.stringify(declined));
});

test('property: generated maps, lists and scalars (numbers, booleans, quoted or not, odd keys) read the same fast and carefully', async () => {
  const { checkProperty, fc } = await import('../support/property.js');
  const { yamlTree } = await import('../support/yamlTree.js');
  const tree = yamlTree({
    tokens: [
      'y', 'n', 'yes', 'No', 'ON', 'off', 'true', 'False', 'TRUE', 'tRue', 'null', 'Null', 'NULL', 'nULL', '~', '', '0429', '0o17', '0O17', '017', '0b101',
      '0x1F', '0X1F', '0x_1', '1_000', '1e3', '1.5e+3', '1.5E-3', '.5', '1.', '+1', '-0', '0', '00', '08', '+0x1', '-0o7', '1:30', '.inf', '+.inf', '-.Inf',
      '.NaN', '.nan', '.NAN', 'NaN', '2021-05-12', '2021-05-12T10:11:12Z', '12:00', '1.0', '3.14', '6.02e23', '9007199254740993', '1e400', '0.1_2',
      '__proto__', 'a b', 'C:\\Windows', '*.exe', 'x*', 'cmd /c', '${ENV_VAR}', '{{key}}', 'from {{key}}', '{{to}}: x', 'x [y]', 'a]b', '30m', 'é', 'onion', 'a #b', 'http://x/y?z=1',
    ],
    wordChars: ['a', 'Z', '0', '1', '.', '-', '_', ':', '+', 'e', ' ', '\\', '/', '*', '#', 'x', 'o'],
    flowMaps: true,
  });
  const file = tree.map((lines) => lines.join('\n') + '\n');
  let fastCount = 0;
  await checkProperty(
    'fast and careful config YAML readings agree',
    fc.asyncProperty(file, async (yaml) => {
      if (await sameReading(yaml, JSON.stringify(yaml))) fastCount++;
    }),
    1000,
  );
  assert.ok(fastCount > 0);
});

test('property: generated block maps with plain keys (as alert files have), lists and every kind of scalar read the same line by line and carefully', async () => {
  const { checkProperty, fc } = await import('../support/property.js');
  const { yamlTree } = await import('../support/yamlTree.js');
  const tree = yamlTree({
    tokens: ['yes', 'off', 'true', 'Null', '~', '', '0429', '0o17', '0x1F', '1e3', '.5', '-0', '+1', '.inf', '.NaN', '1:30', '2021-05-12', '__proto__', 'a b', 'C:\\Windows', '*.exe', 'x*', '${ENV_VAR}', '{{key}}', 'from {{key}}', '{{to}}: x', 'x [y]', 'a]b', '30m', 'é', 'a #b', 'a# b', 'http://x/y?z=1', '- x', '-x', '? x', ':x', "it's", 'say "hi"', 'back\\slash', '|', '>', '&a', '!t', '@x', '`x', '%x', ',x'],
    wordChars: ['a', 'Z', '0', '.', '-', '_', ':', ' ', '\\', '#', '"', "'", '[', '{', '|'],
    flowMaps: false,
    keys: ['a', 'b', 'type', 'notify', 'event.code', 'x_1', 'a-b', 'k/v', 'y', 'index', 'query', 'message', 'title'],
  });
  // Odd keys (not text, or Object's own) now and then, which only the careful reading may take.
  const key = fc.oneof({ weight: 9, arbitrary: fc.constantFrom('a', 'type', 'event.code') }, { weight: 1, arbitrary: fc.constantFrom('true', '1', 'null', '__proto__') });
  const file = fc.tuple(key, tree).map(([name, lines]) => [`${name}:`, ...lines.map((l) => '  ' + l)].join('\n') + '\n');
  let simply = 0;
  await checkProperty(
    'line-by-line and careful YAML readings agree',
    fc.asyncProperty(file, async (yaml) => {
      await sameReading(yaml, JSON.stringify(yaml));
      if (readsSimply(yaml)) simply++;
    }),
    1000,
  );
  assert.ok(simply > 50, `${simply} of 1000 generated files read line by line`);
});

test('property: generated literal and folded block scalars (blank lines, deeper lines, comments, at the end of the file or not) read the same line by line and carefully', async () => {
  const { checkProperty, fc } = await import('../support/property.js');
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '#', ':', '-', '"', "'", '{', '|'), minLength: 1, maxLength: 6 }).filter((s) => s.trim() !== '');
  const line = fc.oneof(fc.constant(''), text, text.map((s) => ' ' + s));
  const block = fc.tuple(fc.constantFrom('a', 'b.c'), fc.constantFrom('|', '|-', '>', '>-'), fc.array(line, { maxLength: 6 }), fc.constantFrom(0, 2, 4), fc.constantFrom('', '\n', '\nz: 1\n', '\n# c\nz: [1]\n'));
  const file = fc.tuple(block, fc.boolean()).map(([[key, header, lines, indent, after], inList]) => {
    const holder = inList ? 2 : 0;
    const body = lines.map((l) => (l === '' ? '' : ' '.repeat(holder + indent) + l)).join('\n');
    return `${inList ? 'list:\n  - ' : ''}${key}: ${header}\n${body}${after}`;
  });
  let simply = 0;
  await checkProperty(
    'block scalars: line-by-line and careful readings agree',
    fc.asyncProperty(file, async (yaml) => {
      await sameReading(yaml, JSON.stringify(yaml));
      if (readsSimply(yaml)) simply++;
    }),
    1000,
  );
  assert.ok(simply > 100, `${simply} of 1000 generated files read line by line`);
});
