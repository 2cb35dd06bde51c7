// Broken Sigma documents give problems at the line:col of the offending value, with the fix; a broken document does
// not stop the others of its file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';

const RULE = (detection: string, extra = '') => `title: T
id: 11111111-2222-4333-8444-555555555555
${extra}logsource:
  product: windows
detection:
${detection}`;

/** The one problem of a file, with its position. */
function problem(text: string): { line: number; col: number; message: string; path: (string | number)[] } {
  const parsed = parseSigma(text);
  assert.equal(parsed.documents.length, 0, 'the broken document must give no document');
  assert.equal(parsed.problems.length, 1, JSON.stringify(parsed.problems));
  return parsed.problems[0]!;
}

test('a YAML syntax error spoils only its own document: the documents before and after it still parse, in order', () => {
  const text = [RULE('  sel: {A: 1}\n  condition: sel'), 'title: broken\ndetection: {sel: [a, b}\n', RULE('  sel: {B: 2}\n  condition: sel').replace('title: T', 'title: Third')].join('\n---\n');
  const parsed = parseSigma(text);
  assert.deepEqual(
    parsed.documents.map((d) => d.meta.title),
    ['T', 'Third'],
  );
  assert.equal(parsed.problems.length >= 1, true);
  assert.equal(parsed.problems[0]!.line, 10, JSON.stringify(parsed.problems));
  assert.deepEqual(
    parsed.documents.map((d) => d.line),
    [1, 13],
  );
});

test('a condition naming an unknown detection names it and lists the detections, at the name in the condition', () => {
  const p = problem(RULE('  selection: {A: 1}\n  filter_x: {B: 2}\n  condition: selection and not filterx'));
  assert.deepEqual([p.line, p.col], [8, 32]);
  const quoted = problem(RULE("  selection: {A: 1}\n  condition: 'selection or  nope'"));
  assert.deepEqual([quoted.line, quoted.col], [7, 29]);
  assert.match(p.message, /'filterx', which is not a detection of this rule: the detections are selection, filter_x/);
  assert.deepEqual(p.path, ['detection', 'condition']);
});

test('an unknown modifier points at its key and suggests the closest one', () => {
  const p = problem(RULE("  sel:\n    Image|endwith: '\\\\cmd.exe'\n  condition: sel"));
  assert.deepEqual([p.line, p.col], [7, 5]);
  assert.match(p.message, /unknown modifier 'endwith' in 'Image\|endwith': did you mean 'endswith'\?/);
});

test('re after another modifier, exists without a field, and a modifier on the wrong type are problems with the fix', () => {
  assert.match(problem(RULE("  sel:\n    F|contains|re: 'a.*'\n  condition: sel")).message, /'re' modifier in 'F\|contains\|re' applies only to the value as written: put it first \(e\.g\. 'F\|re\|contains'\)/);
  assert.match(problem(RULE("  sel:\n    '|exists': true\n  condition: sel")).message, /'exists' modifier needs a field/);
  const typed = problem(RULE('  sel:\n    EventID|contains: 4688\n  condition: sel'));
  assert.match(typed.message, /'contains' modifier in 'EventID\|contains' can't be applied to a number 4688: it takes a string/);
  assert.deepEqual([typed.line, typed.col], [7, 23]);
});

test('an invalid level or status names the values Sigma allows, at the value', () => {
  const p = problem(RULE('  sel: {A: 1}\n  condition: sel', 'level: severe\n'));
  assert.deepEqual([p.line, p.col], [3, 8]);
  assert.match(p.message, /level 'severe' is not a Sigma level: use one of informational, low, medium, high, critical/);
  assert.match(problem(RULE('  sel: {A: 1}\n  condition: sel', 'status: beta\n')).message, /status 'beta' is not a Sigma status/);
});

test('a deprecated "| count()" aggregation says to write a correlation rule', () => {
  const p = problem(RULE('  sel: {A: 1}\n  condition: sel | count() by host > 5'));
  assert.match(p.message, /deprecated Sigma 1 aggregation syntax: .*write a correlation rule/);
  assert.deepEqual([p.line, p.col], [7, 18]);
});

test('condition grammar errors say where and what: upper-case operators, a missing parenthesis, a glob without "1 of", a pattern that matches nothing', () => {
  assert.match(problem(RULE('  a: {A: 1}\n  b: {B: 2}\n  condition: a AND b')).message, /at 'AND' \(character 3\).*write and, or, not in lower case/);
  assert.match(problem(RULE('  a: {A: 1}\n  condition: (a')).message, /a '\)' is missing at the end/);
  assert.match(problem(RULE('  a: {A: 1}\n  condition: a*')).message, /a pattern needs '1 of' or 'all of' before it/);
  assert.match(problem(RULE('  a: {A: 1}\n  condition: 1 of sel*')).message, /'1 of sel\*' .* matches no detection: the detections are a/);
  assert.match(problem(RULE('  a: {A: 1}\n  condition: a; drop')).message, /unexpected ';' at character 2/);
});

test('fieldref and an unresolved expand placeholder are refused with the reason, at their item', () => {
  const fieldref = problem(RULE('  sel:\n    TargetUser|fieldref: SubjectUser\n  condition: sel'));
  assert.match(fieldref.message, /can't handle field references/);
  assert.deepEqual(fieldref.path, ['detection', 'sel', 'TargetUser|fieldref']);
  assert.deepEqual([fieldref.line, fieldref.col], [7, 26]);
  assert.match(problem(RULE("  sel:\n    Host|expand: '%dc_hosts%'\n  condition: sel")).message, /unhandled placeholder 'dc_hosts'/);
});

test('missing title, logsource, detection or condition each name the key to add', () => {
  assert.match(problem('logsource: {product: x}\ndetection: {a: {A: 1}, condition: a}').message, /needs a `title:`/);
  assert.match(problem('title: T\ndetection: {a: {A: 1}, condition: a}').message, /needs `logsource:`/);
  assert.match(problem('title: T\nlogsource: {product: x}').message, /needs `detection:`/);
  assert.match(problem('title: T\nlogsource: {product: x}\ndetection: {a: {A: 1}}').message, /needs a `condition:`/);
  assert.match(problem('- just\n- a list').message, /must be a map/);
});

test('an alias bomb in one document is refused without expanding it', () => {
  const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
  assert.match(problem(bomb).message, /billion laughs/);
});

test("a rule's own text quoted in a problem (a detection name, a condition) cannot carry terminal escapes, invisible characters or extra lines", () => {
  const p = problem(RULE('  sel: {A: 1}\n  condition: "sel and \\e[31mevil\\u202e\\nFAKE: all good"'));
  assert.doesNotMatch(p.message, /[\u001b\u202e\n]/);
  assert.match(p.message, /unexpected character U\+001B at character 9/);
  const named = problem(RULE('  "x\\e]8;;http://evil\\a": {A: 1}\n  condition: y'));
  assert.doesNotMatch(named.message, /[\u001b\u0007]/);
});

test('a refused detection (fieldref) refuses the rule only when the condition uses it, and never hides an invalid item', () => {
  const unused = parseSigma(RULE('  sel: {A: 1}\n  other: {B|fieldref: C}\n  condition: sel'));
  assert.deepEqual(unused.problems, []);
  assert.equal(unused.documents.length, 1);
  assert.match(problem(RULE('  sel: {A: 1}\n  other: {B|fieldref: C}\n  condition: 1 of them')).message, /can't handle field references/);
  const invalid = problem(RULE("  sel:\n    B|fieldref: C\n    D|base64: 'a*'\n  condition: sel"));
  assert.match(invalid.message, /'base64' modifier can't encode a value with wildcards/);
  assert.deepEqual([invalid.line, invalid.col], [8, 15]);
});

test('an IPv6 cidr with host bits set and a windash value with too many dashes are problems at the value in its list', () => {
  const cidr = problem(RULE('  sel:\n    ip|cidr:\n      - 10.0.0.0/8\n      - fe80::1/64\n  condition: sel'));
  assert.deepEqual([cidr.line, cidr.col], [9, 9]);
  assert.match(cidr.message, /'fe80::1\/64' is not a valid network for the 'cidr' modifier \(has host bits set: write the network address, fe80::\/64\)/);
  const dashes = problem(RULE("  sel:\n    CommandLine|windash:\n      - ' -a'\n      - ' -a -b -c -d -e'\n  condition: sel"));
  assert.deepEqual([dashes.line, dashes.col], [9, 9]);
  assert.match(dashes.message, /5\^5 alternatives/);
});

test('an integer above 2^53 is a problem at the value suggesting quotes, not a rounded number', () => {
  const p = problem(RULE('  sel:\n    Id: 9007199254740993\n  condition: sel'));
  assert.deepEqual([p.line, p.col], [7, 9]);
  assert.match(p.message, /beyond the integers that can be compared exactly .*quote it/);
  assert.equal(parseSigma(RULE("  sel:\n    Id: '9007199254740993'\n  condition: sel")).problems.length, 0);
  assert.equal(parseSigma(RULE('  sel:\n    Id: 9007199254740991\n  condition: sel')).problems.length, 0);
  // 10^20 is a number exactly: no problem. The yaml package's reading (a file js-yaml cannot read: anchors) agrees.
  assert.equal(parseSigma(RULE('  sel:\n    Id: 100000000000000000000\n  condition: sel')).problems.length, 0);
  const slow = parseSigma(RULE('  sel: &a\n    Id: 9007199254740993\n  condition: sel'));
  assert.match(slow.problems[0]?.message ?? '', /beyond the integers that can be compared exactly/);
});

test('an item whose values expand into more than 10,000 alternatives is a problem at the item, not a huge query', () => {
  const values = Array.from({ length: 20 }, (_, i) => `      - ' -a${i} -b -c -d'`).join('\n');
  const p = problem(RULE(`  sel:\n    CommandLine|windash:\n${values}\n  condition: sel`));
  assert.deepEqual([p.line, p.col], [8, 7]);
  assert.match(p.message, /'CommandLine\|windash' expands its values into 12,500 alternatives, more than the 10,000/);
});
