import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleSchemas } from '../../src/config/assembleSchemas.js';
import { REPO_ROOT } from '../support/project.js';

test('the published schemas are what the base files and the sources\' fragments assemble (run npm run schemas after editing them)', () => {
  const assembled = assembleSchemas();
  for (const name of ['alertcron', 'alert'] as const) {
    const published: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'src', 'config', 'schemas', `${name}.schema.json`), 'utf8'));
    assert.deepEqual(published, assembled[name], `src/config/schemas/${name}.schema.json is out of date`);
  }
  const sources = (assembled.alert.properties.source as { enum: string[] }).enum;
  assert.deepEqual(sources, ['elasticsearch', 'thehive', 'maxpatrol'], 'every registered source is a value of source:');
  for (const name of sources) assert.ok(name in assembled.alertcron.properties, `source ${name} brings its config section`);
  assert.ok('maxpatrol' in assembled.alert.properties, 'and its alert keys');
});
