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
