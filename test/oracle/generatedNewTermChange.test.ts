// Generated datasets replayed through both tools, for the rule types whose semantics agree at run granularity
// when nothing precedes the replay: new_term (history within terms_window_size) and change without timeframe.
// One replay holds several generated cases, each with users of its own (alice-0, alice-1 ...), since a replay
// costs seconds: the cases cannot see each other's terms or keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProperty, fc } from '../support/property.js';
import { replayBoth } from '../support/oracle.js';
import { termRuns } from './datasets/newTerm.js';
import { event } from '../support/ruleRuns.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const SEC = 1000;
const MIN = 60 * SEC;
const SPAN_MINUTES = 10;
const world = useWorld();

/** An event's time: a minute of the span (or of the hours before it) and a second off the minute's boundary. */
const moment = (minutes: fc.Arbitrary<number>) => fc.record({ minute: minutes, second: fc.integer({ min: 1, max: 59 }) });
const inSpan = moment(fc.integer({ min: 0, max: SPAN_MINUTES - 1 }));
const at = (S: number, m: { minute: number; second: number }) => S + m.minute * MIN + m.second * SEC;

test('oracle, generated: new_term over random logons (history within terms_window_size, fields missing at random) matches ElastAlert2 run for run', async () => {
  const logon = fc.record({ user: fc.option(fc.constantFrom('alice', 'bob', 'carol'), { nil: undefined }), ip: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2'), { nil: undefined }) });
  await checkProperty(
    'oracle new_term',
    fc.asyncProperty(
      fc.array(
        fc.record({
          history: fc.array(fc.record({ when: moment(fc.integer({ min: -20 * 60, max: -1 })), logon }), { maxLength: 4 }),
          span: fc.array(fc.record({ when: inSpan, logon }), { minLength: 1, maxLength: 8 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      fc.boolean(),
      async (cases, compound) => {
        const S = uniqueBaseTime();
        const doc = (t: number, l: { user?: string; ip?: string }, i: number) => event(t, { ...(l.user ? { 'user.name': `${l.user}-${i}` } : {}), ...(l.ip ? { 'source.ip': l.ip } : {}) });
        const fields = compound ? ['user.name', 'source.ip'] : ['user.name'];
        const r = await replayBoth(world, {
          name: 'gen-new-term',
          start: S,
          end: S + SPAN_MINUTES * MIN,
          docs: cases.flatMap((c, i) => [...c.history, ...c.span].map((e) => doc(at(S, e.when), e.logon, i))),
          elastalert: { type: 'new_term', fields: compound ? [fields] : fields, terms_window_size: { days: 1 }, use_keyword_postfix: false },
          alertcron: { condition: { type: 'new_term', fields, terms_window_size: '1d' } },
        });
        assert.deepEqual(r.elastalert.errors, []);
        assert.deepEqual(r.alertcron.runs, termRuns(r, fields));
      },
    ),
    2,
  );
});

/**
 * Random countries per user (no two events of a user at once) replayed through a change rule, with or without a
 * timeframe, must match ElastAlert2 run for run. Each rule has its own ElastAlert2 process: ElastAlert2's change
 * rules share state (see change.test.ts).
 */
async function changeProperty(name: string, country: fc.Arbitrary<string | undefined>, timeframeMinutes?: number): Promise<void> {
  const sighting = fc.record({ when: inSpan, user: fc.constantFrom('alice', 'bob'), country });
  const timeframe = timeframeMinutes === undefined ? undefined : { ea: { timeframe: { minutes: timeframeMinutes } }, ac: { timeframe: `${timeframeMinutes}m` } };
  await checkProperty(
    name,
    fc.asyncProperty(fc.array(fc.uniqueArray(sighting, { minLength: 2, maxLength: 12, selector: (s) => `${s.user} ${s.when.minute}:${s.when.second}` }), { minLength: 1, maxLength: 6 }), async (cases) => {
      const S = uniqueBaseTime();
      const r = await replayBoth(world, {
        name: timeframe ? 'gen-change-timeframe' : 'gen-change',
        start: S,
        end: S + SPAN_MINUTES * MIN,
        docs: cases.flatMap((sightings, i) => sightings.map((s) => event(at(S, s.when), { 'user.name': `${s.user}-${i}`, ...(s.country ? { 'geo.country': s.country } : {}) }))),
        elastalert: { type: 'change', compare_key: 'geo.country', query_key: 'user.name', ignore_null: true, ...timeframe?.ea },
        alertcron: { condition: { type: 'change', compare_key: 'geo.country', ignore_null: true, ...timeframe?.ac }, group_by: 'user.name' },
      });
      assert.deepEqual(r.elastalert.errors, []);
      assert.deepEqual(r.alertcron.runs, r.elastalert.runs);
    }),
    2,
  );
}

test('oracle, generated: change without timeframe over random values per user (missing values at random) matches ElastAlert2 run for run', async () => {
  await changeProperty('oracle change', fc.option(fc.constantFrom('DE', 'FR', 'NL'), { nil: undefined }));
});

test('oracle, generated: change with a 3-minute timeframe over random values per user matches ElastAlert2 run for run', async () => {
  // Nothing precedes the replay, so alertcron's reading of the timeframe before its first window finds nothing
  // ElastAlert2 lacks; the FR, DE, FR-after-the-timeframe case of issue 24 point 2 is in change.test.ts.
  await changeProperty('oracle change timeframe', fc.constantFrom('DE', 'FR'), 3);
});
