// The DSL output against the real engine: Sigma rules (read by our parser) searched over documents whose strings are
// keyword fields, as the Beats templates map them; each rule's hits are the documents Sigma's semantics match.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import { SigmaRefused } from '../../src/sigma/refused.js';
import type { SigmaNode } from '../../src/sigma/types.js';
import { nodeFields, toDsl } from '../../src/sigma/output/toDsl.js';
import { luceneQuery, toLucene } from '../../src/sigma/output/toLucene.js';
import { startEngine, type EngineHandle } from '../support/engine.js';
import { deleteIndices, indexDocs } from '../support/seed.js';

const INDEX = `sigma-dsl-d2-${process.pid}`;
let engine: EngineHandle;

const DOCS: Record<string, unknown>[] = [
  { id: 'd1', Image: 'C:\\Windows\\System32\\WHOAMI.EXE', CommandLine: 'whoami /all', User: 'Admin', EventID: 4688, src_ip: '10.1.2.3', Path: 'a*b?c\\d', Msg: 'Failed to connect', Code: '1-2' },
  { id: 'd2', Image: 'c:\\windows\\system32\\whoami.exe', CommandLine: 'WHOAMI /ALL', EventID: 1, src_ip: '192.168.1.5', Note: null, Enabled: true, Code: '3' },
  { id: 'd3', Image: 'C:\\Tools\\who.exe', CommandLine: 'who', EventID: 4688, src_ip: 'fe80::1', Path: 'axxbyc\\d', count: 7, Note: 'x', Msg: 'failed TO CONNECT' },
  { id: 'd4', Msg: 'a <b> & "c" ~#@', CommandLine: 'line one\nline two', count: 2, Code: '4', Peer: 'FE80::1' },
];

before(async () => {
  engine = await startEngine();
  const created = await fetch(`${engine.url}/${INDEX}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, analysis: { normalizer: { lowercase: { type: 'custom', filter: ['lowercase'] } } } },
      mappings: {
        dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
        properties: {
          src_ip: { type: 'ip' },
          count: { type: 'long' },
          EventID: { type: 'long' },
          Image: { type: 'keyword', fields: { caseless: { type: 'keyword', normalizer: 'lowercase' } } },
        },
      },
    }),
  });
  assert.ok(created.ok, await created.text());
  await indexDocs(engine.url, INDEX, DOCS);
});

after(async () => {
  await deleteIndices(engine.url, [INDEX]);
  await engine.stop();
});

/** A Sigma rule's condition tree from its detection (our parser, as the compiler reads it). */
function tree(detection: string): SigmaNode {
  const text = `title: t\nid: 5f7e1d0e-0000-4000-8000-000000000001\nlogsource: {product: windows}\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const parsed = parseSigma(text);
  assert.deepEqual(parsed.problems, [], text);
  const rule = parsed.documents[0];
  assert.ok(rule?.kind === 'rule');
  return rule.condition;
}

async function hits(query: Record<string, unknown>): Promise<string[]> {
  const response = await fetch(`${engine.url}/${INDEX}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, size: 100 }) });
  const body = (await response.json()) as { hits?: { hits: { _source: { id: string } }[] }; error?: unknown };
  assert.ok(response.ok, `${JSON.stringify(query)}: ${JSON.stringify(body.error)}`);
  return body.hits!.hits.map((hit) => hit._source.id).sort();
}

const CASES: [string, string, string[]][] = [
  ['case variants of a keyword value (endswith)', "sel:\n  Image|endswith: '\\whoami.exe'\ncondition: sel", ['d1', 'd2']],
  ['exact value in another case', "sel:\n  Image: 'C:\\Windows\\System32\\whoami.exe'\ncondition: sel", ['d1', 'd2']],
  ['contains|all', "sel:\n  CommandLine|contains|all: ['WhoAmI', '/all']\ncondition: sel", ['d1', 'd2']],
  ['startswith (prefix) in another case', "sel:\n  Image|startswith: 'c:\\windows\\'\ncondition: sel", ['d1', 'd2']],
  ["escaped \\* and \\? are literal, a lone \\ stays", "sel:\n  Path: 'a\\*b\\?c\\d'\ncondition: sel", ['d1']],
  ['* and ? are wildcards', "sel:\n  Path: 'a*b?c\\d'\ncondition: sel", ['d1', 'd3']],
  ['cased', "sel:\n  CommandLine|cased: 'whoami /all'\ncondition: sel", ['d1']],
  ['windash expands - to / and the dashes', "sel:\n  CommandLine|windash|contains: ' -all'\ncondition: sel", ['d1', 'd2']],
  ['re is case-sensitive', "sel:\n  CommandLine|re: 'who.*all'\ncondition: sel", ['d1']],
  ['re|i', "sel:\n  CommandLine|re|i: 'who.*all'\ncondition: sel", ['d1', 'd2']],
  ['(?i) inline', "sel:\n  CommandLine|re: '(?i)WHO.*ALL'\ncondition: sel", ['d1', 'd2']],
  ['re matches anywhere unless anchored', "sel:\n  CommandLine|re: 'ho'\ncondition: sel", ['d1', 'd3']],
  ['re anchors', "sel:\n  CommandLine|re: '^who$'\ncondition: sel", ['d3']],
  ['re classes \\s \\w and a quantifier', "sel:\n  CommandLine|re: '\\s/\\w{3}$'\ncondition: sel", ['d1', 'd2']],
  ['re: . does not cross a newline without s', "sel:\n  CommandLine|re: 'one.line'\ncondition: sel", []],
  ['re|s: . crosses a newline', "sel:\n  CommandLine|re|s: 'one.line'\ncondition: sel", ['d4']],
  ['re: $ is the end of the value without m', "sel:\n  CommandLine|re: 'one$'\ncondition: sel", []],
  ['re|m: ^ and $ at line ends', "sel:\n  CommandLine|re|m: '^line one$'\ncondition: sel", ['d4']],
  ["re: Lucene's reserved < > & \" ~ # @ are literal", "sel:\n  Msg|re: '<b> & \"c\" ~#@'\ncondition: sel", ['d4']],
  ['cidr IPv4 on an ip field', "sel:\n  src_ip|cidr: '10.0.0.0/8'\ncondition: sel", ['d1']],
  ['cidr IPv6 on an ip field', "sel:\n  src_ip|cidr: 'FE80::/10'\ncondition: sel", ['d3']],
  ['an IPv6 address in capitals on an ip field (which refuses case_insensitive)', "sel:\n  src_ip: 'FE80::1'\ncondition: sel", ['d3']],
  ['an IPv4 address on an ip field', "sel:\n  src_ip: '10.1.2.3'\ncondition: sel", ['d1']],
  ['an IPv6 address on a keyword field, in another case', "sel:\n  Peer: 'fe80::1'\ncondition: sel", ['d4']],
  ["text no address can be, on an ip field, matches nothing (the engine refuses a term of '-' there)", "sel:\n  src_ip: '-'\ncondition: sel", []],
  ['its negation matches every event', "sel:\n  src_ip: '-'\ncondition: not sel", ['d1', 'd2', 'd3', 'd4']],
  ['a wildcard no address can match, on an ip field, matches nothing (the engine refuses wildcard queries there)', "sel:\n  - src_ip|contains: '-'\n  - src_ip|contains: '0200????7F'\ncondition: sel", []],
  ['whole IPv4 octets then * on an ip field: their network', "sel:\n  - src_ip|startswith: '10.'\n  - src_ip: '192.168.*'\ncondition: sel", ['d1', 'd2']],
  ['a list on an ip field mixing addresses and text', "sel:\n  src_ip: ['-', '::1', '10.1.2.3', 'FE80::1']\ncondition: sel", ['d1', 'd3']],
  ['a number', 'sel:\n  EventID: 4688\ncondition: sel', ['d1', 'd3']],
  ['a list of numbers (terms)', 'sel:\n  EventID: [1, 4688]\ncondition: sel', ['d1', 'd2', 'd3']],
  ['a list of values without letters (terms)', "sel:\n  Code: ['1-2', '4']\ncondition: sel", ['d1', 'd4']],
  ['gte', 'sel:\n  count|gte: 5\ncondition: sel', ['d3']],
  ['lt', 'sel:\n  count|lt: 5\ncondition: sel', ['d4']],
  ['a boolean', 'sel:\n  Enabled: true\ncondition: sel', ['d2']],
  ['null: absent or null', 'sel:\n  Note: null\ncondition: sel', ['d1', 'd2', 'd4']],
  ['not null', 'sel:\n  Note: null\ncondition: not sel', ['d3']],
  ['exists', 'sel:\n  User|exists: true\ncondition: sel', ['d1']],
  ['exists: false', 'sel:\n  User|exists: false\ncondition: sel', ['d2', 'd3', 'd4']],
  ['a keyword search (any field) matches every case', "keywords:\n  - 'FAILED TO connect'\ncondition: keywords", ['d1', 'd3']],
  ['a keyword search with * and ? wildcards, in another case', "keywords:\n  - 'fail*TO?connect'\ncondition: keywords", ['d1', 'd3']],
  ["a keyword search: / and Lucene's reserved characters are literal", "keywords:\n  - 'AMI /ALL'\n  - '<B> & \"C\" ~#@'\ncondition: keywords", ['d1', 'd2', 'd4']],
  ['and, or, not', "sel:\n  EventID: 4688\nfilter:\n  CommandLine: 'WHO'\nother:\n  Code: '4'\ncondition: (sel and not filter) or other", ['d1', 'd4']],
  ['1 of, all of', "sel_a:\n  EventID: 4688\nsel_b:\n  User: admin\ncondition: all of sel_*", ['d1']],
];

for (const [name, detection, expected] of CASES) {
  test(`DSL: ${name}`, async () => {
    assert.deepEqual(await hits(toDsl(tree(detection), { ipFields: ['src_ip'] })), expected);
  });
}

test("where pySigma's Lucene misses case variants on keyword fields, the DSL output finds them", async () => {
  const rule = tree("sel:\n  Image|endswith: '\\whoami.exe'\n  CommandLine|contains: 'all'\ncondition: sel");
  assert.deepEqual(await hits(toDsl(rule)), ['d1', 'd2']);
  assert.deepEqual(await hits(luceneQuery(toLucene(rule))), []);
  const lower = tree("sel:\n  Image|endswith: '\\whoami.exe'\ncondition: sel");
  assert.deepEqual(await hits(luceneQuery(toLucene(lower))), ['d2'], 'Lucene is case-sensitive on keyword fields: only the lower-case document');
});

test('1,100 contains values on one field (more than the engine\'s 1,024 clauses) fold into regexps that match the same, in any case', async () => {
  const values = Array.from({ length: 1100 }, (_, k) => `'pkg-${k}@1.0.${k}'`);
  values.splice(700, 0, "'AMI /ALL'", "'wh?ami /a*l'");
  const many = tree(`sel:\n  CommandLine|contains:\n${values.map((v) => `    - ${v}`).join('\n')}\ncondition: sel`);
  const query = toDsl(many);
  const leaves = JSON.stringify(query).match(/"(regexp|wildcard|term|prefix)":/g)?.length ?? 0;
  assert.ok(leaves < 100, `${leaves} clauses`);
  assert.deepEqual(await hits(query), ['d1', 'd2']);
  const starts = tree(`sel:\n  Image|startswith:\n${[...values.slice(0, 200), "'C:\\TOOLS\\'"].map((v) => `    - ${v}`).join('\n')}\ncondition: sel`);
  assert.deepEqual(await hits(toDsl(starts)), ['d3']);
});

test("values with a '*' or a run of '?' inside are not folded (the engine cannot determinize such alternations); an OR of more than 1,024 clauses is refused", async () => {
  const list = (n: number): string => Array.from({ length: n }, (_, k) => `    - 'x${k}y*z${k}w'`).join('\n');
  const seventy = toDsl(tree(`sel:\n  CommandLine|contains:\n${list(70)}\n    - 'AMI*/ALL'\ncondition: sel`));
  assert.deepEqual(await hits(seventy), ['d1', 'd2'], JSON.stringify(seventy).slice(0, 300));
  const runs = Array.from({ length: 70 }, (_, k) => `    - 'x${k}y?????z${k}w'`).join('\n');
  assert.deepEqual(await hits(toDsl(tree(`sel:\n  CommandLine|contains:\n${runs}\n    - 'WH?AMI'\ncondition: sel`))), ['d1', 'd2'], 'a run of ? inside is not folded either');
  assert.throws(
    () => toDsl(tree(`sel:\n  CommandLine|contains:\n${list(1100)}\ncondition: sel`)),
    (error: unknown) => error instanceof SigmaRefused && /an OR of 1100 clauses .*indices\.query\.bool\.max_clause_count/.test(error.message),
  );
});

test('a regexp longer than the engine accepts (index.max_regex_length, 1,000) is refused when written, not at search time', async () => {
  const fits = 'a'.repeat(249);
  assert.deepEqual(await hits(toDsl(tree(`keywords:\n  - '${fits}'\ncondition: keywords`))), []);
  for (const detection of [`keywords:\n  - '${'a'.repeat(250)}'\ncondition: keywords`, `sel:\n  CommandLine|re: '^${'a'.repeat(1001)}$'\ncondition: sel`]) {
    assert.throws(
      () => toDsl(tree(detection)),
      (error: unknown) => error instanceof SigmaRefused && /regular expression of \d+ characters.*index\.max_regex_length/.test(error.message),
      detection.slice(0, 40),
    );
  }
  assert.deepEqual(await hits(toDsl(tree(`sel:\n  CommandLine|re: '^${'a'.repeat(1000)}$'\ncondition: sel`))), [], 'an anchored regexp of 1,000 characters');
});

test('a multi-valued field matches when any value does; contains|all when every listed value is in some element', async () => {
  const index = `${INDEX}-arrays`;
  const created = await fetch(`${engine.url}/${index}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mappings: { properties: { Tags: { type: 'keyword' } } } }) });
  assert.ok(created.ok, await created.text());
  await indexDocs(engine.url, index, [
    { id: 'a1', Tags: ['Alpha-One', 'beta'] },
    { id: 'a2', Tags: ['gamma'] },
    { id: 'a3', Tags: [] },
  ]);
  const search = async (detection: string): Promise<string[]> => {
    const response = await fetch(`${engine.url}/${index}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: toDsl(tree(detection)), size: 10 }) });
    return ((await response.json()) as { hits: { hits: { _source: { id: string } }[] } }).hits.hits.map((h) => h._source.id).sort();
  };
  try {
    assert.deepEqual(await search("sel:\n  Tags: 'BETA'\ncondition: sel"), ['a1']);
    assert.deepEqual(await search("sel:\n  Tags|contains|all: ['alpha', 'ETA']\ncondition: sel"), ['a1']);
    assert.deepEqual(await search("sel:\n  Tags|contains|all: ['alpha', 'gam']\ncondition: sel"), []);
    assert.deepEqual(await search("sel:\n  Tags: 'beta'\ncondition: not sel"), ['a2', 'a3']);
    assert.deepEqual(await search('sel:\n  Tags: null\ncondition: sel'), ['a3']);
    assert.deepEqual(await search("keywords:\n  - 'ONE'\ncondition: keywords"), ['a1']);
  } finally {
    await deleteIndices(engine.url, [index]);
  }
});

test('on a lowercase-normalised .caseless sub-field the DSL needs no case_insensitive and still matches every case', async () => {
  for (const [detection, expected] of [
    ["sel:\n  Image.caseless|endswith: '\\WhoAmI.exe'\ncondition: sel", ['d1', 'd2']],
    ["sel:\n  Image.caseless: 'C:\\WINDOWS\\system32\\whoami.exe'\ncondition: sel", ['d1', 'd2']],
    ["sel:\n  Image.caseless|startswith: 'C:\\TOOLS'\ncondition: sel", ['d3']],
  ] as const) {
    const query = toDsl(tree(detection));
    assert.ok(!JSON.stringify(query).includes('case_insensitive'), JSON.stringify(query));
    assert.deepEqual(await hits(query), expected, detection);
  }
});

test('what Lucene regexps cannot express is refused with the reason', () => {
  for (const [pattern, reason] of [
    ['a(?=b)', /lookahead/],
    ['(a)\\1', /backreferences/],
    ['\\bword\\b', /word boundaries/],
    ['a*+', /possessive/],
    ['a(?i:b)', /inline flags/],
    ['a^b', /anchor/],
  ] as const) {
    const detection = `sel:\n  CommandLine|re: '${pattern}'\ncondition: sel`;
    assert.throws(() => toDsl(tree(detection)), (error: unknown) => error instanceof SigmaRefused && reason.test(error.message) && error.message.includes(JSON.stringify(pattern)), pattern);
  }
});

test('nodeFields names every field a tree reads, once, in order', () => {
  const rule = tree("sel:\n  Image|endswith: x\n  EventID: 1\nfilter:\n  Image: y\n  User: null\nkw:\n  - z\ncondition: sel and not filter or kw");
  assert.deepEqual(nodeFields(rule), ['Image', 'EventID', 'User']);
});

test('a wildcard on an ip field that some address could match but no network expresses is refused with the cidr fix', () => {
  assert.throws(
    () => toDsl(tree("sel:\n  src_ip|endswith: '.3'\ncondition: sel"), { ipFields: ['src_ip'] }),
    (error: unknown) => error instanceof SigmaRefused && /'src_ip' is an ip field .*cidr modifier/.test(error.message),
  );
});

test('a condition tree deeper than the outputs handle is refused by both, not a stack overflow', async () => {
  const { compileRule } = await import('../../src/sigma/compileRule.js');
  let deep: SigmaNode = { type: 'match', field: 'A', value: { type: 'number', value: 1 } };
  for (let i = 0; i < 20_000; i++) deep = { type: 'not', item: deep };
  assert.throws(() => toDsl(deep), (error: unknown) => error instanceof SigmaRefused && /nests more than 1000 deep/.test(error.message));
  const rule = { ...(parseSigma(`title: t\nlogsource: {product: windows}\ndetection:\n  sel: {A: 1}\n  condition: sel\n`).documents[0] as Extract<ReturnType<typeof parseSigma>['documents'][number], { kind: 'rule' }>), condition: deep };
  for (const output of ['dsl', 'lucene'] as const) {
    assert.throws(() => compileRule(rule, { names: [], items: [], ipFields: [] }, output), (error: unknown) => error instanceof SigmaRefused && /nests more than 1000 deep/.test(error.message), output);
  }
});
