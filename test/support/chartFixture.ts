// A backtest chart built in the test (no cluster): a week of one-minute steps by default, spiky per-key counts, a
// threshold, every kind of marker and notices, with attacker-written keys, titles, reasons, query values and settings.
import type { BacktestChart, ChartMarker } from '../../src/model/backtestChart.js';
import { HOSTILE_FIELDS } from './hostileText.js';

/** Strings that would run script if the page put them into markup unescaped. */
export const SCRIPT_INJECTIONS = [
  '<script>window.__pwned=1</script>',
  '</script><script>window.__pwned=2</script>',
  '<img src=x onerror="window.__pwned=3">',
  '"><svg onload="window.__pwned=4">',
  '<!--<script>window.__pwned=5</script>',
];

/** Keys as an attacker could write them in a log field (the first ones get lines on the chart). */
export const HOSTILE_KEYS = [...SCRIPT_INJECTIONS, HOSTILE_FIELDS.evil, HOSTILE_FIELDS.rtl, HOSTILE_FIELDS.emoji];

/** A small deterministic generator (mulberry32), so a failure replays exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A chart of `steps` one-minute steps over `keys.length` keys (lines for the first 5, `keysShown: 'top'` when more):
 * per key a daily wave of 0-6 events with a spike of 10-39 for 1-4 steps now and then, compared per key with a threshold of 20
 * (the total is the sum): `sent` where a key first reaches it, `held` while it stays there within 10 minutes,
 * `escalated` on every third firing of a key, `resolved` when it falls back, and a `failed` step (no value) every
 * 2,000 steps.
 */
export function sampleChart(options: { alert?: string; steps?: number; keys?: string[]; seed?: number } = {}): BacktestChart {
  const steps = options.steps ?? 10_080;
  const keyNames = options.keys ?? HOSTILE_KEYS;
  const next = random(options.seed ?? 7);
  const every = 60_000;
  const from = Date.UTC(2026, 10, 30, 0, 0);
  const at = (step: number): number => from + (step + 1) * every + every;
  const wave = (i: number, k: number): number => 3 * (1 + Math.sin((2 * Math.PI * (i + k * 90)) / 1440));
  const perKey = keyNames.map((_, k) => {
    const values: number[] = [];
    let spike = 0;
    for (let i = 0; i < steps; i++) {
      if (!spike && next() < 0.001) spike = 1 + Math.floor(next() * 4);
      values.push(spike ? (spike--, 10 + Math.floor(next() * 30)) : Math.floor(next() * wave(i, k)));
    }
    return values;
  });
  const failed = (step: number): boolean => step % 2000 === 1999;
  const total = Array.from({ length: steps }, (_, i) => (failed(i) ? null : perKey.reduce((sum, values) => sum + values[i]!, 0)));
  const markers: ChartMarker[] = [];
  const notices: BacktestChart['notices'] = [];
  const title = `${SCRIPT_INJECTIONS[0]} logins ${HOSTILE_FIELDS.markdown}`;
  const state = keyNames.map(() => ({ firing: false, lastSent: -Infinity, firings: 0 }));
  for (let i = 0; i < steps; i++) {
    if (failed(i)) {
      markers.push({ step: i, at: at(i), kind: 'failed', key: '', reason: `search failed: ${SCRIPT_INJECTIONS[2]}` });
      continue;
    }
    keyNames.forEach((key, k) => {
      const s = state[k]!;
      if (perKey[k]![i]! >= 20) {
        if (i - s.lastSent >= 10) {
          s.firings++;
          const kind = s.firings % 3 === 0 ? 'escalated' : 'sent';
          const reason = kind === 'escalated' ? 'tier-2' : s.firing ? 'repeat' : 'first';
          markers.push({ step: i, at: at(i), kind, key, reason });
          notices.push({ at: at(i), key, reason, title, channels: ['oncall-mail', SCRIPT_INJECTIONS[1]!] });
          s.lastSent = i;
        } else markers.push({ step: i, at: at(i), kind: 'held', key, reason: 'throttled' });
        s.firing = true;
      } else if (s.firing) {
        s.firing = false;
        markers.push({ step: i, at: at(i), kind: 'resolved', key, reason: 'resolved' });
        notices.push({ at: at(i), key, reason: 'resolved', title, channels: ['oncall-mail'] });
      }
    });
  }
  const shown = Math.min(5, keyNames.length);
  return {
    alert: options.alert ?? `logins ${SCRIPT_INJECTIONS[0]}`,
    ruleType: 'count',
    span: { from, to: from + steps * every },
    every,
    ingestDelay: every,
    steps,
    valueLabel: `events per window ${SCRIPT_INJECTIONS[3]}`,
    total,
    keys: keyNames.slice(0, shown).map((key, k) => ({ key, values: perKey[k]!.map((v, i) => (failed(i) ? null : v)) })),
    keysShown: keyNames.length <= 5 ? 'all' : 'top',
    keysTotal: keyNames.length,
    thresholds: [{ value: 20, label: `count gte 20 per key ${SCRIPT_INJECTIONS[4]}` }],
    markers,
    notices,
    query: { query: { bool: { filter: [{ term: { 'user.name': SCRIPT_INJECTIONS[1] } }, { range: { '@timestamp': { gte: 'now-1m' } } }] } } },
    settings: { every: '1m', throttle: '10m', condition: 'count gte 20', group_by: `user.name ${SCRIPT_INJECTIONS[2]}` },
    requests: 11,
    failedSteps: markers.filter((m) => m.kind === 'failed').length,
    errors: [`search failed: ${SCRIPT_INJECTIONS[0]}`],
  };
}
