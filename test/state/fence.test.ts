import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FenceFile } from '../../src/state/fence.js';
import { checkProperty, fc } from '../support/property.js';

test('a fence file of any content gives the next holder a token above every earlier one, written whole, with no temporary file left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-fence-'));
  try {
    const file = join(dir, 'state.json.fence');
    await checkProperty(
      'fence tokens',
      fc.property(fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('', '-3', '1e400', 'NaN', '9007199254740993', ' 7 \n')), (content) => {
        writeFileSync(file, content);
        const fence = new FenceFile(file);
        const first = fence.next();
        assert.ok(Number.isSafeInteger(first) && first > 0, `token ${first} from ${JSON.stringify(content)}`);
        const second = fence.next();
        assert.equal(second, first + 1);
        assert.equal(readFileSync(file, 'utf8'), String(second));
        fence.check(second);
        assert.throws(() => fence.check(first), /another run took the state over meanwhile/);
        assert.deepEqual(readdirSync(dir), ['state.json.fence']);
      }),
      200,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what a power loss may leave of the unsynced fence (an empty file, a temporary file never renamed) gives a token and is cleaned up by the next holder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-fence-'));
  try {
    const file = join(dir, 'state.json.fence');
    writeFileSync(file, '');
    // Left by a run the power loss ended (pid 2^22 + 1 is above any pid_max), written or not.
    writeFileSync(`${file}.tmp-4194305-1`, '');
    writeFileSync(`${file}.tmp-4194305-2`, '12');
    const fence = new FenceFile(file);
    assert.equal(fence.next(), 1, 'an empty fence file counts from the start');
    assert.deepEqual(readdirSync(dir), ['state.json.fence'], 'the leftover temporary files are removed');
    assert.equal(readFileSync(file, 'utf8'), '1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
