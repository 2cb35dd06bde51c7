import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { docPages } from '../support/docPages.js';
import { REPO_ROOT } from '../support/project.js';
import { documentedNames, documentedPlaces, parentName, schemaKeys, type SchemaKey } from '../support/schemaKeys.js';
import { assembleSchemas } from '../../src/config/assembleSchemas.js';

/** The schemas as the build assembles them (from the base files, the sources' and the channels' schemas), as published in src/config/schemas. */
const SCHEMAS = [
  { name: 'alertcron', file: 'src/config/schemas/alertcron.schema.json', what: 'alertcron.yaml' },
  { name: 'alert', file: 'src/config/schemas/alert.schema.json', what: 'an alert file' },
] as const;
const assembled = assembleSchemas();

/** Every key name README.md and the docs/ pages document, with the names around its mentions (see documentedPlaces). */
function documented(root = REPO_ROOT): Map<string, Set<string>> {
  const places = new Map<string, Set<string>>();
  for (const page of docPages(root)) {
    for (const [name, around] of documentedPlaces(readFileSync(join(root, page), 'utf8'), page)) places.set(name, new Set([...(places.get(name) ?? []), ...around]));
  }
  return places;
}

/**
 * The keys of a schema no page documents, one line each: the key, its paths, its place in the schema file. A name
 * several paths share (timeout, url ...) must be documented near each path's parent (duo.timeout: near `duo`).
 */
function undocumented(name: 'alertcron' | 'alert', file: string, places: Map<string, Set<string>>): string[] {
  const keys = schemaKeys(assembled[name]);
  const paths = new Map<string, number>();
  for (const key of keys) paths.set(key.name, (paths.get(key.name) ?? 0) + 1);
  const missing = new Map<string, SchemaKey[]>();
  for (const key of keys) {
    const around = places.get(key.name);
    const parent = parentName(key.path);
    const ok = around && (paths.get(key.name)! < 2 || !parent || around.has(parent.toLowerCase()));
    if (!ok) missing.set(key.name, [...(missing.get(key.name) ?? []), key]);
  }
  return [...missing].map(([name, at]) => `${name}: at ${at.map((k) => k.path).join(', ')} (${file}#${at[0]!.pointer})`);
}

for (const { name, file, what } of SCHEMAS) {
  test(`docs: every key ${what} accepts (${file}) is documented on README.md or a docs/ page`, () => {
    const missing = undocumented(name, file, documented());
    assert.deepEqual(
      missing,
      [],
      `${missing.length} key(s) of ${what} no page documents: describe each on the page of its section, as \`key\` in backticks or as key: in a YAML example:\n  ${missing.join('\n  ')}`,
    );
  });
}

test('schemaKeys: walks properties, $ref, allOf/anyOf/oneOf, if/then/else, additionalProperties, patternProperties and items, once per path', () => {
  const schema = {
    definitions: {
      tls: { type: 'object', properties: { ca_file: {}, tls_insecure: {} } },
      loop: { properties: { again: { $ref: '#/definitions/loop' } } },
    },
    properties: {
      state: { properties: { host_ttl: {} }, allOf: [{ if: { properties: { backend: { const: 'cluster' } } }, then: { properties: { index: {} } }, else: { properties: { file: {} } } }] },
      channels: { additionalProperties: { allOf: [{ $ref: '#/definitions/tls' }], anyOf: [{ properties: { token_file: {} } }], oneOf: [{ properties: { secret_file: {} } }] } },
      headers: { patternProperties: { '^x-': { properties: { value: {} } } } },
      notify: { items: { properties: { channel: {} } } },
      tuple: { items: [{ properties: { first: {} } }] },
      recursive: { $ref: '#/definitions/loop' },
    },
  };
  const keys = schemaKeys(schema);
  assert.deepEqual(keys.map((k) => k.path).sort(), [
    'channels', 'channels.*.ca_file', 'channels.*.secret_file', 'channels.*.tls_insecure', 'channels.*.token_file', 'headers', 'headers.*.value',
    'notify', 'notify.[].channel', 'recursive', 'recursive.again', 'state', 'state.backend', 'state.file', 'state.host_ttl', 'state.index', 'tuple', 'tuple.[].first',
  ]);
  assert.equal(keys.find((k) => k.path === 'channels.*.tls_insecure')!.pointer, '/definitions/tls/properties/tls_insecure');
  assert.equal(keys.find((k) => k.path === 'state.index')!.pointer, '/properties/state/allOf/0/then/properties/index');
});

test('schemaKeys: the built schemas have the keys the research counted, reached through $ref and additionalProperties', () => {
  const alertcron = schemaKeys(assembled.alertcron);
  const paths = new Set(alertcron.map((k) => k.path));
  for (const path of ['channels.*.tls_insecure', 'channels.*.token_file', 'state.host_ttl', 'monitoring.status_page', 'monitoring.metrics_file', 'duo.push_type', 'alerts_dir']) assert.ok(paths.has(path), path);
  const alert = schemaKeys(assembled.alert);
  assert.ok(new Set(alert.map((k) => k.name)).size >= 100, `${alert.length} alert keys`);
});

test('documentedNames: code spans (a key, key: value, a dotted path) and YAML keys in code blocks (commented ones too) count; prose words and shell words do not', () => {
  const page = [
    'Set `throttle` and `state.host_ttl`, or `lock_wait: 30s`; a `{{key}}` template; prose words like partition_lease do not count.',
    '```yaml',
    'channels:',
    '  soc-email: { type: email, token_file: /run/secret }',
    '  - name: x',
    '"quoted_key": 1',
    '# page_size: 100   # a commented key shows an optional one; or secure: true',
    '```',
    '```sh',
    'alertcron run --only heartbeat_url',
    '```',
  ].join('\n');
  const names = documentedNames(page);
  for (const name of ['throttle', 'state', 'host_ttl', 'lock_wait', 'channels', 'soc-email', 'type', 'token_file', 'name', 'quoted_key', 'page_size', 'secure']) assert.ok(names.has(name), name);
  for (const name of ['partition_lease', 'heartbeat_url', 'key']) assert.ok(!names.has(name), name);
});

test('documentedPlaces: a mention carries its page, its headings, its section\'s code spans, a dotted span\'s parts and its YAML parents', () => {
  const page = [
    '# Setup',
    '## Duo',
    'Set `timeout` here.',
    '## Other',
    'The `elasticsearch.url` and `state.host_ttl`.',
    '```yaml',
    'thehive:',
    '  url: https://hive',
    '  # api_key_file: /k',
    'channels:',
    '  soc: { type: email, password_file: /p }',
    '  - name: x',
    '    tags: [a]',
    '```',
  ].join('\n');
  const places = documentedPlaces(page, 'docs/sources/maxpatrol.md');
  const around = (name: string) => [...(places.get(name) ?? [])];
  assert.ok(around('timeout').includes('duo') && around('timeout').includes('maxpatrol') && around('timeout').includes('setup'));
  assert.ok(!around('timeout').includes('elasticsearch'), 'another section\'s spans are not around it');
  assert.ok(around('url').includes('elasticsearch') && around('url').includes('thehive'));
  assert.ok(around('api_key_file').includes('thehive'), 'a commented key under its parent');
  assert.ok(around('password_file').includes('channels') && around('password_file').includes('soc'), 'a flow mapping\'s key');
  assert.ok(around('tags').includes('channels') && !around('tags').includes('thehive'));
  assert.equal(parentName('channels.*.observables.[].type'), 'observables');
  assert.equal(parentName('duo.timeout'), 'duo');
  assert.equal(parentName('every'), '');
});

test('docs: a key name several paths share counts only near each path\'s parent: a scratch copy without thehive\'s api_key_file names that path alone', () => {
  const root = mkdtempSync(join(tmpdir(), 'alertcron-config-docs-'));
  try {
    cpSync(join(REPO_ROOT, 'README.md'), join(root, 'README.md'));
    cpSync(join(REPO_ROOT, 'docs'), join(root, 'docs'), { recursive: true });
    const thehive = join(root, 'docs', 'sources', 'thehive.md');
    writeFileSync(thehive, readFileSync(thehive, 'utf8').replace(' or `api_key_file`', ''));
    const missing = undocumented('alertcron', 'x.json', documented(root));
    assert.deepEqual(missing, ['api_key_file: at thehive.api_key_file (x.json#/properties/thehive/properties/api_key_file)']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
