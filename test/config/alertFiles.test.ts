import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { test } from 'node:test';
import { alertFiles, alertNameOf, MAX_ALERT_DEPTH } from '../../src/config/alertFiles.js';
import { checkProperty, fc } from '../support/property.js';

const folderName = fc.constantFrom('a', 'b', '.git', 'state', 'x y');
const fileName = fc.constantFrom('one.yaml', 'two.yml', 'notes.txt', '.hidden.yaml');
const tree = fc.array(fc.tuple(fc.array(folderName, { maxLength: MAX_ALERT_DEPTH + 3 }), fileName), { maxLength: 12 });

test('property: every YAML file of a generated alerts tree is read, or skipped by the documented rule (hidden, state/), or under a folder named in a problem', async () => {
  await checkProperty(
    'alert files of a folder tree',
    fc.property(tree, (entries) => {
      const dir = mkdtempSync(join(tmpdir(), 'alertcron-alertfiles-'));
      try {
        for (const [folders, file] of entries) {
          mkdirSync(join(dir, ...folders), { recursive: true });
          writeFileSync(join(dir, ...folders, file), 'x: 1\n');
        }
        const { files, problems } = alertFiles(dir, (path) => path.slice(dir.length + 1));
        const read = new Set(files.map((f) => f.relative));
        assert.equal(read.size, files.length, 'each file once');
        for (const [folders, file] of entries) {
          const relative = [...folders, file].join('/');
          const yaml = /\.ya?ml$/.test(file);
          const skipped = folders.some((f) => f.startsWith('.') || f === 'state');
          if (!yaml || skipped) {
            assert.ok(!read.has(relative), `${relative} is not an alert file`);
            continue;
          }
          if (folders.length <= MAX_ALERT_DEPTH) assert.ok(read.has(relative), `${relative} is read`);
          else {
            assert.ok(!read.has(relative));
            assert.ok(problems.some((p) => relative.startsWith(`${p.file}/`)), `${relative} is under a folder named in a problem`);
          }
        }
        // Shallower files first: of two files with one name, the one nearer alerts/ wins.
        const depths = files.map((f) => f.relative.split('/').length);
        assert.deepEqual(depths, [...depths].sort((x, y) => x - y));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    100,
  );
});

test('property: an alert file\'s name is what path.basename(f, path.extname(f)) makes of it (dots anywhere, folders before it)', async () => {
  const part = fc.stringMatching(/^[a-z.]{0,6}$/);
  await checkProperty(
    'alert names',
    fc.property(fc.array(fc.constantFrom('a', 'team', '.x'), { maxLength: 3 }), part, fc.constantFrom('.yaml', '.yml'), (folders, stem, ext) => {
      const file = [...folders, `${stem}${ext}`].join('/');
      assert.equal(alertNameOf(file), basename(file, extname(file)), file);
    }),
  );
});
