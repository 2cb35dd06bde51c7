import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frequencyRule } from '../../src/rules/frequency.js';
import { temporalFires, temporalRule } from '../../src/rules/temporal.js';
import type { RuleAlert } from '../../src/rules/types.js';
import { checkProperty, fc } from '../support/property.js';

/** What the engine returns per filter: the first and last match of each bucket of width r on a grid aligned on `to`. */
function bucketPoints(times: number[], r: number, to: number): number[] {
  const buckets = new Map<number, { min: number; max: number }>();
  for (const t of times) {
    const b = Math.floor((t - to) / r);
    const cur = buckets.get(b);
    buckets.set(b, cur ? { min: Math.min(cur.min, t), max: Math.max(cur.max, t) } : { min: t, max: t });
  }
  return [...buckets.values()].flatMap((b) => [b.min, b.max]);
}

/** The brute-force answer on every event: the first t in [from, to) whose window [t - tf, t] holds a match of every filter (ordered: a chain). */
function firstFire(events: number[][], tf: number, ordered: boolean, from: number, to: number): number | undefined {
  for (let t = from; t < to; t++) {
    if (!ordered && events.every((list) => list.some((x) => x >= t - tf && x <= t))) return t;
    if (ordered) {
      let cur = t - tf;
      let ok = true;
      for (const list of events) {
        const next = list.filter((x) => x >= cur && x <= t).sort((a, b) => a - b)[0];
        if (next === undefined) { ok = false; break; }
        cur = next;
      }
      if (ok) return t;
    }
  }
  return undefined;
}

test('temporal: all filters within the timeframe fire at the last one, used-up matches do not fire again, ordered needs the order', () => {
  const window = { from: 100, to: 200 };
  // a at 90 (before the window, within the span), b at 120: the window [110-ish, 120] holds both -> fires at 120.
  assert.deepEqual(temporalFires([[90], [120]], 30, false, window, undefined), [{ at: 120, matches: [90, 120] }]);
  // 40 apart with a 30 timeframe: never.
  assert.deepEqual(temporalFires([[80], [120]], 30, false, window, undefined), []);
  // Out of order: unordered fires, ordered does not; in order both do.
  assert.deepEqual(temporalFires([[150], [140]], 30, false, window, undefined), [{ at: 150, matches: [150, 140] }]);
  assert.deepEqual(temporalFires([[150], [140]], 30, true, window, undefined), []);
  assert.deepEqual(temporalFires([[140], [150]], 30, true, window, undefined), [{ at: 150, matches: [140, 150] }]);
  // A fire uses its matches up: the next needs both again after it (two fires, the second at 190).
  assert.deepEqual(temporalFires([[110, 170], [120, 190]], 30, false, window, undefined).map((f) => f.at), [120, 190]);
  // The last fire of an earlier run (saved state) uses up the matches up to it.
  assert.deepEqual(temporalFires([[90], [120]], 30, false, window, 95), []);
  // A filter without any match: never.
  assert.deepEqual(temporalFires([[120], []], 30, false, window, undefined), []);
});

test('temporal: the first and last match per bucket give the exact first fire of the full event list (unordered), a true chain (ordered)', async () => {
  const scenario = fc.record({
    tf: fc.integer({ min: 1, max: 40 }),
    steps: fc.integer({ min: 1, max: 4 }),
    from: fc.integer({ min: 30, max: 70 }),
    length: fc.integer({ min: 1, max: 40 }),
    // Events spread over the span [from - timeframe, to), a few per filter so that gaps and shared buckets are common.
    offsets: fc.array(fc.array(fc.nat(), { maxLength: 5 }), { minLength: 1, maxLength: 4 }),
    ordered: fc.boolean(),
  });
  await checkProperty('temporal fires from bucket first/last matches', fc.property(scenario, ({ tf, steps, from, length, offsets, ordered }) => {
    const to = from + length;
    // Buckets as the search makes them: r divides the timeframe, events only within the span [from - tf, to).
    const r = Math.max(1, Math.floor(tf / steps));
    const timeframe = r * Math.max(1, Math.round(tf / r));
    const inSpan = offsets.map((list) => list.map((v) => from - timeframe + (v % (timeframe + length))));
    const fires = temporalFires(inSpan.map((list) => bucketPoints(list, r, to)), timeframe, ordered, { from, to }, undefined);
    const expected = firstFire(inSpan, timeframe, ordered, from, to);
    if (!ordered) {
      assert.equal(fires[0]?.at, expected);
    } else if (fires[0]) {
      // Every ordered fire is a real chain of matches in order within the timeframe.
      const { at, matches } = fires[0];
      matches.forEach((m, i) => assert.ok(inSpan[i]!.includes(m) && m <= at && m >= at - timeframe && (i === 0 || m >= matches[i - 1]!)));
      assert.ok(expected !== undefined && expected <= at);
    }
  }), 300);
});

test('temporal: a long catch-up is budgeted over the searched span (window and one timeframe before), with frequency’s resolution', () => {
  const H = 3_600_000;
  const M = 60_000;
  const rules = { a: { query: { term: { x: 'a' } } }, b: { query: { term: { x: 'b' } } } };
  const temporal = temporalRule.complete({ timeframe: '1h', rules }, 'alert.yaml');
  const frequency = frequencyRule.complete({ timeframe: '1h', num_events: 2 }, 'alert.yaml');
  const alert = { group_by: ['host.name'], group_size: 100, timestamp_field: '@timestamp', samples: 0 } as unknown as RuleAlert;
  const interval = (body: Record<string, unknown>) => Number(/"fixed_interval":"(\d+)ms"/.exec(JSON.stringify(body))![1]);
  const to = Date.UTC(2026, 0, 31);
  // From a 1h window to a 13-day catch-up (9h: 10h searched at 1m would be 602 buckets per key, 60,200 in all).
  for (let length = H; length <= 13 * 24 * H; length += 10 * M) {
    const window = { from: to - length, to };
    const r = interval(temporalRule.search({}, alert, temporal, window));
    assert.equal(r, interval(frequencyRule.search({}, alert, frequency, window)), `window of ${length / H}h`);
    if (r < temporal.timeframe) assert.ok((Math.ceil((length + temporal.timeframe) / r) + 2) * 100 <= 60_000, `window of ${length / H}h: ${r / M}m buckets exceed the budget`);
  }
});

/** The brute-force fires of one run on every event: each t in [from, to) whose window since the last fire holds every filter (ordered: a chain). */
function bruteFires(events: { at: number; filters: number[] }[], count: number, tf: number, ordered: boolean, from: number, to: number, lastFire: number | undefined): number[] {
  const fires: number[] = [];
  let used = lastFire;
  for (let t = from; t < to; t++) {
    const lower = Math.max(t - tf, used === undefined ? -Infinity : used + 1);
    const inside = events.filter((e) => e.at >= lower && e.at <= t);
    let ok: boolean;
    if (!ordered) ok = Array.from({ length: count }, (_, i) => inside.some((e) => e.filters.includes(i))).every(Boolean);
    else {
      let cur = lower;
      ok = true;
      for (let i = 0; i < count && ok; i++) {
        const next = inside.filter((e) => e.filters.includes(i) && e.at >= cur).map((e) => e.at).sort((a, b) => a - b)[0];
        if (next === undefined) ok = false;
        else cur = next;
      }
    }
    if (ok) {
      fires.push(t);
      used = t;
    }
  }
  return fires;
}

/** The engine's answers to temporal's two searches over `events` (ungrouped): the histogram per filter, then the events of the asked ranges. */
function engineResponse(events: { at: number; filters: number[] }[], count: number, r: number, span: { from: number; to: number }, offset: number) {
  const inSpan = events.filter((e) => e.at >= span.from && e.at < span.to);
  const buckets = new Map<number, { at: number; filters: number[] }[]>();
  for (const e of inSpan) {
    const key = Math.floor((e.at - offset) / r) * r + offset;
    buckets.set(key, [...(buckets.get(key) ?? []), e]);
  }
  const histogram = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([key, list]) => {
    const bucket: Record<string, unknown> = { key, doc_count: list.length };
    for (let i = 0; i < count; i++) {
      const times = list.filter((e) => e.filters.includes(i)).map((e) => e.at);
      bucket[`alertcron_rule_${i}`] = { doc_count: times.length, alertcron_first: { value: times.length ? Math.min(...times) : null }, alertcron_last: { value: times.length ? Math.max(...times) : null } };
    }
    return bucket;
  });
  const answer = (ranges: { gte: number; lt: number }[]) => ({
    hits: { hits: inSpan.filter((e) => ranges.some((g) => e.at >= g.gte && e.at < g.lt)).map((e) => ({ _id: '', _index: '', fields: { ts: [String(e.at)] }, matched_queries: ['alertcron_key_0', ...e.filters.map((i) => `alertcron_rule_${i}`)] })) },
  });
  return { response: { hits: { total: { value: inSpan.length, relation: 'eq' }, hits: [] }, aggregations: { alertcron_histogram: { buckets: histogram } } }, answer };
}

test('temporal is complete: over runs (resuming from the saved last fire), its fires are those of a brute force over every event, ordered or not', async () => {
  const scenario = fc.record({
    count: fc.integer({ min: 2, max: 3 }),
    tf: fc.integer({ min: 2, max: 30 }),
    steps: fc.integer({ min: 1, max: 3 }),
    runs: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 }),
    // Events over the span, each matching one or several filters (filters may overlap), often several in one bucket.
    events: fc.array(fc.record({ at: fc.nat({ max: 130 }), filters: fc.uniqueArray(fc.nat({ max: 2 }), { minLength: 1, maxLength: 3 }) }), { maxLength: 25 }),
    ordered: fc.boolean(),
  });
  await checkProperty('temporal complete against brute force', fc.property(scenario, ({ count, tf, steps, runs, events, ordered }) => {
    const r = Math.max(1, Math.floor(tf / steps));
    const timeframe = r * Math.max(1, Math.round(tf / r));
    const list = events.map((e) => ({ at: e.at, filters: e.filters.filter((i) => i < count) })).filter((e) => e.filters.length);
    const rules = Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, { query: { term: { x: i } } }]));
    const condition = { ...temporalRule.complete({ timeframe: `${timeframe}ms`, rules, ordered }, 'alert.yaml'), resolution: r };
    const alert = { group_size: 100, timestamp_field: 'ts', samples: 0 } as unknown as RuleAlert;
    let state: unknown;
    let model: number | undefined;
    let from = 20;
    for (const length of runs) {
      const window = { from, to: from + length };
      const span = temporalRule.span!(condition, window, alert);
      const { response, answer } = engineResponse(list, count, r, span, ((window.to % r) + r) % r);
      const body = temporalRule.followUp?.((s) => ({ query: { range: { ts: { gte: s.from, lt: s.to } } } }), response, alert, condition, window) as any;
      const ranges = body ? (body.query.bool.filter[1].bool.should[0].bool.filter.at(-1).bool.should as { range: { ts: { gte: number; lt: number } } }[]).map((c) => c.range.ts) : [];
      const output = temporalRule.evaluate({ alert, condition, window, response: body ? { ...response, followUp: answer(ranges) } : response, state }) as { findings: { fields: Record<string, unknown> }[]; state: { lastFire: Record<string, number> } };
      const expected = bruteFires(list, count, timeframe, ordered, window.from, window.to, model);
      const finding = output.findings[0];
      assert.deepEqual(finding ? [finding.fields.fires, finding.fields.window_end] : [], expected.length ? [expected.length, new Date(expected.at(-1)!).toISOString()] : [], `window [${window.from}, ${window.to})`);
      if (expected.length) model = expected.at(-1);
      state = output.state;
      from = window.to;
    }
  }), 400);
});

test('temporal: beyond 10,000 events in undecided buckets, no events are fetched and the run says the order was judged on first and last matches', () => {
  const rules = { a: { query: { term: { x: 'a' } } }, b: { query: { term: { x: 'b' } } } };
  const condition = temporalRule.complete({ timeframe: '5m', resolution: '5m', ordered: true, rules }, 'alert.yaml');
  const alert = { group_size: 100, timestamp_field: 'ts', samples: 0 } as unknown as RuleAlert;
  const window = { from: 0, to: 600_000 };
  const bucket = (doc_count: number) => ({
    key: 300_000, doc_count,
    alertcron_rule_0: { doc_count: doc_count - 2, alertcron_first: { value: 300_002 }, alertcron_last: { value: 599_999 } },
    alertcron_rule_1: { doc_count: 2, alertcron_first: { value: 300_001 }, alertcron_last: { value: 300_003 } },
  });
  const response = (doc_count: number) => ({ hits: { total: { value: doc_count, relation: 'eq' } }, aggregations: { alertcron_histogram: { buckets: [bucket(doc_count)] } } });
  const base = () => ({ query: { match_all: {} } });
  const within = temporalRule.followUp!(base, response(10_000), alert, condition, window) as Record<string, unknown>;
  assert.equal(within.size, 10_000);
  assert.equal(temporalRule.followUp!(base, response(10_001), alert, condition, window), undefined);
  const output = temporalRule.evaluate({ alert, condition, window, response: response(10_001), state: undefined }) as { note?: string; findings: unknown[] };
  // Judged as before on the first and last matches: a 300002, b 300003 is a chain.
  assert.equal(output.findings.length, 1);
  assert.match(output.note ?? '', /^10001 events lie in buckets where each filter's first and last match do not decide the order, more than the 10000 fetched[^]*a chain may be missed/);
});

test('temporal: when the follow-up search fails, the order is judged on first and last matches with a note naming the failure, not the alert failed', () => {
  const rules = { a: { query: { term: { x: 'a' } } }, b: { query: { term: { x: 'b' } } } };
  const condition = temporalRule.complete({ timeframe: '5m', resolution: '5m', ordered: true, rules }, 'alert.yaml');
  const alert = { group_size: 100, timestamp_field: 'ts', samples: 0 } as unknown as RuleAlert;
  const window = { from: 0, to: 600_000 };
  const bucket = {
    key: 300_000, doc_count: 10,
    alertcron_rule_0: { doc_count: 8, alertcron_first: { value: 300_002 }, alertcron_last: { value: 599_999 } },
    alertcron_rule_1: { doc_count: 2, alertcron_first: { value: 300_001 }, alertcron_last: { value: 300_003 } },
  };
  const response = { hits: { total: { value: 10, relation: 'eq' } }, aggregations: { alertcron_histogram: { buckets: [bucket] } }, followUpError: 'too_many_nested_clauses' };
  assert.equal(temporalRule.followUpOptional, true);
  const output = temporalRule.evaluate({ alert, condition, window, response, state: undefined }) as { note?: string; findings: unknown[] };
  assert.equal(output.findings.length, 1);
  assert.match(output.note ?? '', /failed \(too_many_nested_clauses\): judged on those first and last matches/);
});
