import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPipeline } from '../../src/sigma/pipeline/loadPipeline.js';

// Equal priorities are ordered by the spec as pySigma's resolver orders them; alertcron rewrites a file's path
// (absolute in defaults.sigma, relative from the out folder in import sigma), which must not change that order.
test('a pipeline file of the same priority as a shipped part keeps its place however its path is spelled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-pipeline-order-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'zmine.yml'), 'name: zmine\npriority: 20\ntransformations:\n  - id: z\n    type: field_name_mapping\n    mapping: { CommandLine: winlog.event_data.Z }\n');
    const names = (specs: string[], base: string) => {
      const loaded = loadPipeline(specs, base);
      assert.ok('pipeline' in loaded, JSON.stringify(loaded));
      return loaded.pipeline.names;
    };
    const plain = names(['ecs_windows', 'zmine.yml'], dir);
    assert.deepEqual(names(['ecs_windows', join(dir, 'zmine.yml')], '/'), plain);
    assert.deepEqual(names(['ecs_windows', '../zmine.yml'], join(dir, 'sub')), plain);
    assert.ok(plain.indexOf('zmine') > plain.findIndex((n) => /ecs_windows/.test(n)), `zmine sorts after ecs_windows at equal priority: ${plain.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
