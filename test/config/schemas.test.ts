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
  assert.deepEqual(sources, ['elasticsearch', 'thehive'], 'every registered source is a value of source:');
  assert.ok('thehive' in assembled.alertcron.properties && 'elasticsearch' in assembled.alertcron.properties, 'each source brings its config section');
});
