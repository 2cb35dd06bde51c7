import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { setYamlValue } from '../../src/util/yamlEdit.js';
import { checkProperty, fc } from '../support/property.js';

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const comment = fc.option(fc.stringMatching(/^[a-zA-Z0-9 ,.:'()-]{0,30}$/).map((c) => `# ${c}`), { nil: undefined });
/** A block-map entry: a key with a plain value, a flow list or a nested map, each line maybe with a comment, maybe a comment line above. */
const entry = fc.tuple(word, fc.oneof(word, fc.array(word, { maxLength: 3 }).map((items) => `[${items.join(', ')}]`)), comment, comment);

/** A configuration-like YAML text with an optional `state:` section (block, flow, or with a backend already). */
const configText = fc
  .tuple(fc.array(entry, { maxLength: 4 }), fc.constantFrom('none', 'block', 'flow', 'withBackend', 'commented'), fc.array(entry, { minLength: 1, maxLength: 3 }), fc.constantFrom(2, 4), fc.boolean())
  .map(([top, state, stateEntries, indent, finalNewline]) => {
    const pad = ' '.repeat(indent);
    const unique = (entries: typeof top) => entries.filter(([key], i) => key !== 'state' && key !== 'backend' && entries.findIndex(([k]) => k === key) === i);
    const lines = unique(top).flatMap(([key, value, note, above]) => [...(above ? [above] : []), `${key}: ${value}${note ? `   ${note}` : ''}`]);
    const inner = unique(stateEntries).flatMap(([key, value, note, above]) => [...(above ? [`${pad}${above}`] : []), `${pad}${key}: ${value}${note ? `  ${note}` : ''}`]);
    if (state === 'block' && inner.length) lines.push('state:   # memory', ...inner);
    if (state === 'withBackend') lines.push('state:', `${pad}backend: file   # where`, ...inner);
    if (state === 'commented' && inner.length) lines.push('state:', `${pad}# backend: cluster`, ...inner);
    if (state === 'flow') lines.push(`state: {${unique(stateEntries).map(([k]) => `${k}: x`).join(', ')}}`);
    return lines.join('\n') + (finalNewline ? '\n' : '');
  });

test('property: setYamlValue sets exactly the value, and every comment line written is still there', async () => {
  await checkProperty('setYamlValue', fc.property(configText, fc.constantFrom('cluster', 'file'), (text, backend) => {
    const before = parse(text) ?? {};
    const out = setYamlValue(text, ['state', 'backend'], backend);
    const after = parse(out);
    assert.deepEqual(after, { ...before, state: { ...(before.state ?? {}), backend } });
    if (!/state: \{/.test(text)) {
      // Every line of a block text stays, in order; at most one line is added or one value replaced.
      const kept = text.split('\n').filter((line) => !/^\s*backend: /.test(line));
      const outLines = out.split('\n');
      let at = 0;
      for (const line of kept) {
        at = outLines.indexOf(line, at);
        assert.ok(at >= 0, `line kept: ${JSON.stringify(line)}\n${out}`);
        at++;
      }
    }
  }), 300);
});

test('setYamlValue adds a missing key above the comments of the first key, replaces an existing one in place', () => {
  assert.equal(setYamlValue('state:\n  # file backend\n  file: s.json\n', ['state', 'backend'], 'cluster'), 'state:\n  backend: cluster\n  # file backend\n  file: s.json\n');
  assert.equal(setYamlValue('state:\n  backend: "file"   # here\n', ['state', 'backend'], 'cluster'), 'state:\n  backend: cluster   # here\n');
  assert.equal(setYamlValue('a: [x,  y]   # as written\n', ['state', 'backend'], 'file'), 'a: [x,  y]   # as written\nstate:\n  backend: file\n');
});

test('setYamlValue replaces a block scalar (>-, |-) without joining the next line, and fills an empty section', () => {
  assert.deepEqual(parse(setYamlValue('state:\n  backend: >-\n    file\n  index: x\n', ['state', 'backend'], 'cluster')), { state: { backend: 'cluster', index: 'x' } });
  assert.deepEqual(parse(setYamlValue('state:\n  backend: |-\n    cluster\n  # kept\n  index: x\n', ['state', 'backend'], 'file')), { state: { backend: 'file', index: 'x' } });
  assert.equal(setYamlValue('state:   # memory\n\nother: 1\n', ['state', 'backend'], 'cluster'), 'state:   # memory\n  backend: cluster\n\nother: 1\n');
  assert.equal(setYamlValue('a: 1\nstate:', ['state', 'backend'], 'file'), 'a: 1\nstate:\n  backend: file\n');
  assert.deepEqual(parse(setYamlValue('state: ~\n', ['state', 'backend'], 'file')), { state: { backend: 'file' } });
});
