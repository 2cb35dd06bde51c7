// exponential_throttle against ElastAlert2 itself: nextBackoff must give, for any base, cap, kept exponent and time
// since the previous wait ended, the wait ElastAlert2's ElastAlerter.next_alert_time gives (exponential_realert).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { nextBackoff } from '../../src/policy/backoff.js';
import { REPO_ROOT } from '../support/project.js';
import { ensureVenv } from '../support/pythonVenv.js';
import { fc, PROPERTY_SEED } from '../support/property.js';

interface Case { base: number; cap: number; exponent: number; diff: number }

test('exponential_throttle waits what ElastAlert2\'s next_alert_time waits, for generated bases, caps, exponents and gaps', async () => {
  const { python } = await ensureVenv();
  // Whole seconds, as ElastAlert2's rules are written; the kept exponent is one alertcron can hold (its wait below the cap).
  const cases: Case[] = fc.sample(
    fc.record({ base: fc.integer({ min: 1, max: 3600 }), capFactor: fc.integer({ min: 1, max: 300 }), exponent: fc.nat(12), diff: fc.integer({ min: -7200, max: 400_000 }) })
      .map(({ base, capFactor, exponent, diff }) => {
        const cap = base * capFactor;
        const top = Math.max(0, Math.ceil(Math.log2(cap / base)));
        return { base, cap, exponent: Math.min(exponent, Math.max(0, top - 1)), diff };
      }),
    { numRuns: 400, seed: PROPERTY_SEED },
  );
  const answer = spawnSync(python, [join(REPO_ROOT, 'test', 'oracle', 'ea_backoff.py')], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(answer.status, 0, answer.stderr);
  const expected = JSON.parse(answer.stdout) as { wait: number; exponent: number }[];
  assert.equal(expected.length, cases.length);
  cases.forEach((c, i) => {
    const ours = nextBackoff(0, c.exponent, c.diff * 1000, c.base * 1000, c.cap * 1000);
    const theirs = expected[i]!;
    const where = `seed ${PROPERTY_SEED}, case ${JSON.stringify(c)}: ElastAlert2 ${JSON.stringify(theirs)}, alertcron ${JSON.stringify(ours)}`;
    assert.equal(ours.wait, theirs.wait * 1000, where);
    // ElastAlert2 keeps exponent - 1 at the cap, which is -1 when the base alone reaches it; alertcron keeps 0 (the same
    // wait follows: both double from the base).
    assert.equal(ours.exponent, Math.max(0, theirs.exponent), where);
  });
});
