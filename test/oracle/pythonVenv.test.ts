import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { assertPinned, CONSTRAINTS, ensureVenv, findPython, pinnedElastalert, pythonCandidates, REQUIREMENTS } from '../support/pythonVenv.js';

test('the venv\'s Python: ALERTCRON_BENCH_PYTHON, python3.12/3.13 on PATH, then pyenv\'s 3.12+ versions newest first from $PYENV_ROOT (no machine path), then python3', () => {
  const root = mkdtempSync(join(tmpdir(), 'alertcron-pyenv-'));
  try {
    for (const v of ['3.9.18', '3.12.1', '3.13.0', '3.10.13', '3.12.10', 'system']) mkdirSync(join(root, 'versions', v), { recursive: true });
    const env = { PATH: join(root, 'no-bin'), PYENV_ROOT: root };
    const pyenv = (v: string) => join(root, 'versions', v, 'bin', 'python3');
    assert.deepEqual(pythonCandidates(env), ['python3.12', 'python3.13', pyenv('3.13.0'), pyenv('3.12.10'), pyenv('3.12.1'), 'python3']);
    assert.deepEqual(pythonCandidates({ ...env, ALERTCRON_BENCH_PYTHON: '/opt/py/bin/python3' })[0], '/opt/py/bin/python3');
    // None of them runs: the error names what was tried and how to point at one.
    assert.throws(() => findPython(env), (e: Error) => e.message.includes('needs Python 3.12+') && e.message.includes(pyenv('3.13.0')) && e.message.includes('ALERTCRON_BENCH_PYTHON'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the venv is held to constraints.txt and holds the pinned ElastAlert2: another version fails loudly', async () => {
  const pinned = pinnedElastalert(readFileSync(REQUIREMENTS, 'utf8'));
  assert.equal(pinned, '2.31.0');
  assert.equal(pinnedElastalert(readFileSync(CONSTRAINTS, 'utf8')), pinned, 'constraints.txt holds the same pin');
  assert.match(readFileSync(CONSTRAINTS, 'utf8'), /^elasticsearch==\S+$/m, 'the client ElastAlert2 talks through is pinned too');
  assert.throws(() => assertPinned({ elastalert2: '2.30.0' }), /holds elastalert2 2\.30\.0, but .*requirements\.txt pins 2\.31\.0/);
  assert.throws(() => assertPinned({ elastalert2: '' }), /holds elastalert2 \(none\)/);
  assert.equal((await ensureVenv()).elastalert2, pinned);
});
