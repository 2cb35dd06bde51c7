// The importer's digest schedules against croniter itself (what ElastAlert2 computes aggregation: {schedule} with, in
// UTC): for generated croniter expressions, the five-field schedule the importer writes fires, in cron-parser (what
// alertcron's digests use), at the same minutes croniter sends at; an expression it refuses has a reason it names.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import { croniterToCron } from '../../src/importer/cronSchedule.js';
import { REPO_ROOT } from '../support/project.js';
import { ensureVenv } from '../support/pythonVenv.js';
import { fc, PROPERTY_SEED } from '../support/property.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One item of a field: a value, a range (wrapping or not, with or without a step), a step over all, in numbers or names. */
function item(min: number, max: number, names?: string[]): fc.Arbitrary<string> {
  const value = names
    ? fc.oneof(fc.integer({ min, max }).map(String), fc.integer({ min: 0, max: names.length - 1 }).map((i) => (i % 2 ? names[i]!.toUpperCase() : names[i]!)))
    : fc.integer({ min, max }).map(String);
  return fc.oneof(
    { weight: 3, arbitrary: value },
    // (A range from a value to itself is left out: croniter reads OCT-10 as every month.)
    { weight: 3, arbitrary: fc.tuple(value, value).map(([a, b]) => `${a}-${b}`) },
    { weight: 1, arbitrary: fc.tuple(value, value, fc.integer({ min: 1, max: 5 })).map(([a, b, s]) => `${a}-${b}/${s}`) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((s) => `*/${s}`) },
  );
}

/** A field: `*`, or one to three items joined by commas. */
function field(min: number, max: number, names?: string[], extra: fc.Arbitrary<string>[] = []): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant('*') }, { weight: 5, arbitrary: fc.array(fc.oneof(item(min, max, names), ...extra), { minLength: 1, maxLength: 3 }).map((i) => i.join(',')) });
}

/** A croniter expression: five fields (sometimes a sixth, seconds, or a seventh, the year), or an @ shortcut. */
const expression = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(
    field(0, 59),
    field(0, 23),
    field(1, 31, undefined, [fc.constant('L')]),
    field(1, 12, MONTHS),
    field(0, 7, DAYS, [fc.integer({ min: 0, max: 6 }).map((d) => `L${d}`), fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d}#${n}`)]),
    fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('0', '30', '*/20') }, { weight: 1, arbitrary: fc.constant('0 2027') }),
  ).map((f) => f.filter((x) => x !== undefined).join(' ')) },
  { weight: 1, arbitrary: fc.constantFrom('@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually', 'R 9 * * *') },
);

/** The refusals the importer makes on purpose: each names what croniter has and cron fields lack. */
const DELIBERATE = /year field|hashed \(H\) and random \(R\)|wraps around with a step|nth or last weekday \(1#2, L5\) in a list|its own way|a value to itself/;

test('digest schedules from croniter expressions fire at croniter\'s minutes, or are refused with a reason', async () => {
  const { python } = await ensureVenv();
  const cases = fc.sample(fc.record({ expr: expression, start: fc.integer({ min: 1_798_761_600 / 60, max: 1_924_992_000 / 60 }).map((m) => m * 60) }), { numRuns: 400, seed: PROPERTY_SEED });
  const COUNT = 60;
  const answer = spawnSync(python, [join(REPO_ROOT, 'test', 'oracle', 'ea_croniter.py')], { input: JSON.stringify(cases.map((c) => ({ ...c, count: COUNT }))), encoding: 'utf8' });
  assert.equal(answer.status, 0, answer.stderr);
  const expected = JSON.parse(answer.stdout) as (number[] | { error: string })[];
  let compared = 0;
  cases.forEach((c, i) => {
    const theirs = expected[i]!;
    if (!Array.isArray(theirs)) return; // croniter refuses it: ElastAlert2 never sends on it either
    const where = `seed ${PROPERTY_SEED}, ${JSON.stringify(c.expr)} from ${new Date(c.start * 1000).toISOString()}`;
    const ours = croniterToCron(c.expr);
    if ('problem' in ours) {
      assert.match(ours.problem, DELIBERATE, `${where}: refused, ${ours.problem}`);
      return;
    }
    // croniter's send times, by minute (the seconds field is dropped: a run sends in that minute), after the start's minute.
    const minutes = [...new Set(theirs.map((t) => Math.floor(t / 60) * 60_000))].filter((m) => m > c.start * 1000).slice(0, 6);
    const it = CronExpressionParser.parse(ours.schedule, { currentDate: new Date(c.start * 1000), tz: 'UTC' });
    const mine = minutes.map(() => it.next().getTime());
    assert.deepEqual(mine.map((t) => new Date(t).toISOString()), minutes.map((t) => new Date(t).toISOString()), `${where} as ${JSON.stringify(ours.schedule)}`);
    compared++;
  });
  // Most generated expressions are ones croniter takes: the comparison is not vacuous.
  assert.ok(compared > cases.length / 4, `only ${compared} of ${cases.length} compared`);
});
