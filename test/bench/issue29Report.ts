// Issue 29's part of docs/BENCHMARK.md: a target row for each of its targets (met or missed, with the number), the
// sections of its new rows (a week of receipts, many keys firing, 100,000 alerts on one host), and where the time of
// every measured scenario goes, stage by stage (`run --json`).
import { int, mb, range, reqs, sec } from './format.js';
import type { BenchResults } from './report.js';
import type { Summary } from './run.js';
import { limitedBy, stageTable, type StageSummary } from './stagesReport.js';

/** Every issue 29 target row starts so (the hosts' rows have their own prefix). */
export const ISSUE29_ROW_PREFIX = '| issue 29: ';

/** Met or missed; `undefined` when not measured; a string when measured but not judged (why, e.g. "for information"). */
const verdict = (ok: boolean | string | undefined) => (ok === undefined ? 'not measured' : typeof ok === 'string' ? ok : ok ? '**met**' : '**missed**');
/** A size in kB (10^3 bytes), or a dash when not read. */
const kb = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 1e3).toFixed(1)} kB`);

/** The 100,000 alerts' took is read from their `--json` stage runs, not from the measured runs whose wall it is set against. */
const TOOK_FROM = ' (took from the --json stage runs of the same minute, not the measured runs)';
const plus = (x: number, unit: 's' | 'MB') => `${x >= 0 ? '+' : '−'}${unit === 's' ? sec(Math.abs(x)) : mb(Math.abs(x))}`;

/** The two stages of a summary that took the most wall time, e.g. "fetch 120 ms, evaluate 80 ms". */
export function topStages(s: StageSummary | undefined, count = 2): string {
  if (!s) return 'stages not read';
  return [...s.stages]
    .sort((a, b) => b.wallMs - a.wallMs)
    .slice(0, count)
    .map((x) => `${x.stage} ${x.wallMs.toFixed(0)} ms`)
    .join(', ');
}

/** CPU milliseconds per notice that the incident minute costs over the quiet one (whole process, medians). */
export function cpuPerNotice(quiet: Summary | undefined, incident: Summary | undefined, notices: number | undefined): number | undefined {
  if (!quiet || !incident || !notices) return undefined;
  return ((incident.cpu_s - quiet.cpu_s) * 1000) / notices;
}

/** The CPU of the stages that send and record (deliver, record) per notice, from the incident minute's stages. */
export function deliverCpuPerNotice(stages: StageSummary | undefined, notices: number | undefined): number | undefined {
  if (!stages || !notices) return undefined;
  const of = (name: string) => stages.stages.find((s) => s.stage === name)?.cpuMs ?? 0;
  return (of('deliver') + of('record')) / notices;
}

/** The target rows of issue 29, in its order (each says met or missed with the number, or why it was not measured). */
export function issue29TargetRows(res: BenchResults): string[] {
  const L: string[] = [];
  const row = (target: string, measured: string, ok: boolean | string | undefined) => L.push(`${ISSUE29_ROW_PREFIX}${target} | ${measured} | ${verdict(ok)} |`);
  const none = (target: string, why: string) => row(target, `not in this run (${why})`, undefined);
  const at = (n: number) => res.sizes.find((s) => s.n === n);
  const k = at(1000);
  const ten = at(10);
  const big = at(10_000);

  // 1. The incident minute.
  if (k?.acIncident && k.eaIncident) {
    const x = k.eaIncident.wall_s / k.acIncident.wall_s;
    row('1,000 alerts, the incident minute (100 notices): at least 25× ElastAlert2 (whole process)', `${x.toFixed(1)}× (${sec(k.eaIncident.wall_s)} / ${sec(k.acIncident.wall_s)}); ${topStages(k.stages?.incident)}`, x >= 25);
  } else none('1,000 alerts, the incident minute: at least 25× ElastAlert2', '--sizes without 1000, or --no-elastalert');
  if (big?.acIncident) row(`10,000 alerts with ${int(big.expectedMatches ?? 0)} notices: under 1.5 s`, `${range(big.acIncident)}, ${sec(big.acIncident.cpu_s)} CPU; ${topStages(big.stages?.incident)}`, big.acIncident.wall_s < 1.5);
  else none('10,000 alerts with 1,000 notices: under 1.5 s', '--sizes without 10000');
  const perNotice = [big, k].find((s) => s?.acQuiet && s.acIncident && s.expectedMatches);
  if (perNotice) {
    const cpu = cpuPerNotice(perNotice.acQuiet, perNotice.acIncident, perNotice.expectedMatches)!;
    const staged = deliverCpuPerNotice(perNotice.stages?.incident, perNotice.expectedMatches);
    row(
      'delivery costs at most 0.3 ms of CPU per notice',
      `${cpu.toFixed(2)} ms at ${int(perNotice.n)} alerts (the incident minute's CPU over the quiet one's, per notice)${staged === undefined ? '' : `; the deliver and record stages alone ${staged.toFixed(2)} ms`}`,
      cpu <= 0.3,
    );
  } else none('delivery at most 0.3 ms of CPU per notice', 'no size with both minutes');

  // 2. A week of receipts.
  const r = res.receipts;
  const base = r?.variants.find((v) => v.receipts === 0);
  if (r && base) {
    for (const v of r.variants.filter((x) => x.receipts > 0)) {
      const dt = v.runs.wall_s - base.runs.wall_s;
      const dm = v.runs.rss_mb - base.runs.rss_mb;
      const judged = v.receipts === 200_000;
      row(
        `${int(v.receipts)} receipts add under 50 ms and 20 MB to a quiet run${judged ? '' : ' (for information: the target is for 200,000)'}`,
        `${plus(dt, 's')} wall, ${plus(v.runs.cpu_s - base.runs.cpu_s, 's')} CPU, ${plus(dm, 'MB')} (${sec(v.runs.wall_s)} / ${sec(base.runs.wall_s)}; ${mb(v.runs.rss_mb)} / ${mb(base.runs.rss_mb)}); state.json rewritten ${kb(v.stateJsonBytes)} (${kb(base.stateJsonBytes)} with none); ${topStages(v.stages)}`,
        judged ? dt < 0.05 && dm < 20 : 'for information',
      );
    }
  } else none('200,000 receipts add under 50 ms and 20 MB to a quiet run', '--receipts empty or --only without receipts');

  // 3. Many keys.
  const f = res.firingKeys;
  if (f) {
    const dt = f.withKeys.runs.wall_s - f.withoutKeys.runs.wall_s;
    const dm = f.withKeys.runs.rss_mb - f.withoutKeys.runs.rss_mb;
    const scale = f.keys / 100_000;
    row(
      `an alert with ${int(f.keys)} keys, firing, costs under ${sec(0.3 * scale)} and ${mb(120 * scale)} more than with none`,
      `${plus(dt, 's')} wall, ${plus(f.withKeys.runs.cpu_s - f.withoutKeys.runs.cpu_s, 's')} CPU, ${plus(dm, 'MB')} (${sec(f.withKeys.runs.wall_s)} / ${sec(f.withoutKeys.runs.wall_s)}; ${mb(f.withKeys.runs.rss_mb)} / ${mb(f.withoutKeys.runs.rss_mb)}); ${topStages(f.withKeys.stages)}`,
      dt < 0.3 * scale && dm < 120 * scale,
    );
  } else none('an alert with 100,000 keys, firing: under 0.3 s and 120 MB more', '--firing-keys 0 or --only without keys');

  // 4. A cold start.
  if (k?.acQuietCold) row('1,000 alerts, the first run after every alert file changed: under 0.35 s', `${range(k.acQuietCold)}; ${topStages(k.stages?.quietCold)}`, k.acQuietCold.wall_s < 0.35);
  else none('1,000 alerts, the first run after every alert file changed: under 0.35 s', '--sizes without 1000');
  if (k?.validateCold) row('`validate` of 1,000 alerts, cold: under 0.25 s', range(k.validateCold), k.validateCold.wall_s < 0.25);
  else none('`validate` of 1,000 alerts, cold: under 0.25 s', '--sizes without 1000');

  // 5. Ten alerts and the quiet 1,000.
  const floor = res.floor.nodeMsearch;
  if (ten?.acQuiet && floor) {
    const x = ten.acQuiet.wall_s / floor.wall_s;
    row('10 alerts within 1.5× of the floor', `${x.toFixed(2)}× (${sec(ten.acQuiet.wall_s)} / ${sec(floor.wall_s)}); ${topStages(ten.stages?.quiet)}`, x <= 1.5);
  } else none('10 alerts within 1.5× of the floor', '--sizes without 10, or --only without floor');
  if (k?.acQuiet && k.eaQuiet) {
    const x = k.eaQuiet.wall_s / k.acQuiet.wall_s;
    row('1,000 alerts, nothing matching: at least 40× ElastAlert2 (whole process)', `${x.toFixed(1)}× (${sec(k.eaQuiet.wall_s)} / ${sec(k.acQuiet.wall_s)}); ${topStages(k.stages?.quiet)}`, x >= 40);
  } else none('1,000 alerts, nothing matching: at least 40× ElastAlert2', '--sizes without 1000, or --no-elastalert');

  // 6. Memory and 100,000 alerts.
  if (big?.acQuiet || big?.acIncident) {
    // The peak of the two minutes: the incident minute (1,000 notices) is the one that needs the most.
    const peak = Math.max(big.acQuiet?.rss_mb ?? 0, big.acIncident?.rss_mb ?? 0);
    const minutes = [big.acQuiet && `${mb(big.acQuiet.rss_mb)} nothing matching`, big.acIncident && `${mb(big.acIncident.rss_mb)} in the incident minute`, !big.acIncident && 'the incident minute not measured'].filter(Boolean).join(', ');
    row('10,000 alerts: peak memory under 120 MB', `${mb(peak)} (${minutes})`, big.acIncident || peak >= 120 ? peak < 120 : 'not judged: the incident minute not measured');
  } else none('10,000 alerts: peak memory under 120 MB', '--sizes without 10000');
  const h = res.big;
  if (h?.quiet || h?.incident) {
    // Both minutes must be under 8 s and 600 MB: nothing matching and the incident minute.
    const minute = (label: string, x: Summary | undefined, st: StageSummary | undefined) => {
      if (!x) return `${label}: not measured`;
      const took = st?.clusterTookMs;
      return `${label}: ${range(x)}, ${mb(x.rss_mb)}, ${sec(x.cpu_s)} CPU; ${reqs(x)} requests, one in flight ${sec(x.clusterMs / 1000)}, the cluster's own took ${took === undefined ? '–' : sec(took / 1000)}; limited by ${limitedBy(x.wall_s * 1000, x.cpu_s * 1000, x.clusterMs, took, TOOK_FROM)}`;
    };
    const ok = (x: Summary) => x.wall_s < 8 && x.rss_mb < 600;
    row(
      `${int(h.n)} alerts on one host, nothing matching and the incident minute: under 8 s and 600 MB`,
      `${minute('nothing matching', h.quiet, h.stages.quiet)}. ${minute('the incident minute', h.incident, h.stages.incident)}`,
      h.quiet && h.incident ? ok(h.quiet) && ok(h.incident) : [h.quiet, h.incident].some((x) => x && !ok(x)) ? false : 'not judged: one minute not measured',
    );
  } else none('100,000 alerts on one host: under 8 s and 600 MB', h?.skipped ?? '--big-size 0 or --only without big');

  // 7. Where the time goes.
  const scenarios = stageColumns(res);
  const read = scenarios.filter(([, s]) => s !== undefined).length;
  row('the report says, for each target, where the remaining time goes (by stage)', `${read} of ${scenarios.length} measured scenarios with their stages (see [Where the time goes, by stage](#where-the-time-goes-by-stage))`, scenarios.length ? read === scenarios.length : undefined);
  return L;
}

/** Every measured scenario that should have its stages, with them (undefined: not read), labelled for the tables. */
function stageColumns(res: BenchResults): [string, StageSummary | undefined][] {
  const cols: [string, StageSummary | undefined][] = [];
  for (const s of res.sizes) {
    if (s.acQuiet) cols.push([`${int(s.n)} quiet`, s.stages?.quiet]);
    if (s.acIncident) cols.push([`${int(s.n)} incident`, s.stages?.incident]);
    if (s.acQuietCold) cols.push([`${int(s.n)} cold`, s.stages?.quietCold]);
  }
  for (const v of res.receipts?.variants ?? []) cols.push([`${int(v.receipts)} receipts`, v.stages]);
  if (res.firingKeys) cols.push([`${int(res.firingKeys.keys)} keys firing`, res.firingKeys.withKeys.stages], ['no keys firing', res.firingKeys.withoutKeys.stages]);
  if (res.big?.quiet) cols.push([`${int(res.big.n)} quiet`, res.big.stages.quiet]);
  if (res.big?.incident) cols.push([`${int(res.big.n)} incident`, res.big.stages.incident]);
  return cols;
}

/** "Where the time goes, by stage": one table per group of scenarios (medians of `run --json`'s stages). */
export function stagesSection(res: BenchResults): string[] {
  const sizes = res.sizes;
  const tables = [
    ...stageTable('Nothing matching, steady state, by number of alerts', sizes.map((s) => [`${int(s.n)}`, s.stages?.quiet] as const)),
    ...stageTable('The incident minute (10% matching, one notice each), by number of alerts', sizes.map((s) => [`${int(s.n)}`, s.stages?.incident] as const)),
    ...stageTable('Nothing matching, without the parse cache (the first run after every alert file changed)', sizes.map((s) => [`${int(s.n)}`, s.stages?.quietCold] as const)),
    ...stageTable(`A quiet run of ${int(res.receipts?.alerts ?? 0)} alerts by receipts in the state`, (res.receipts?.variants ?? []).map((v) => [`${int(v.receipts)} receipts`, v.stages] as const)),
    ...stageTable('One alert firing, with and without its keys', res.firingKeys ? [[`${int(res.firingKeys.keys)} keys`, res.firingKeys.withKeys.stages], ['no keys', res.firingKeys.withoutKeys.stages]] : []),
    ...stageTable(`State growth: ${int(res.stateGrowth?.alerts ?? 0)} alerts, nothing matching`, res.stateGrowth?.stages ? [[`${int(res.stateGrowth.keys)} keys`, res.stateGrowth.stages.withKeys], ['no keys', res.stateGrowth.stages.withoutKeys]] : []),
    ...stageTable(`${int(res.big?.n ?? 0)} alerts on one host`, res.big ? [['nothing matching', res.big.stages.quiet], ['the incident minute', res.big.stages.incident]] : []),
  ];
  if (!tables.length) return [];
  return [
    '## Where the time goes, by stage',
    '',
    'From `run --json` (`stages`: wall and CPU time of each stage of the run, the peak resident set so far at its end; `clusterTookMs`: the cluster\'s own `took`, added up over the `_msearch` answers). ' +
      "`start` is node's own start, loading the bundle and reading the command line; `release` gives the state's lock back; the process's exit after it (printing the report, flushing stdout) is in no stage. " +
      'CPU counts every thread of the process (GC, the compile threads), so it can exceed the wall time. For the sizes and the 100,000 alerts these are extra runs of the same restored minute with `--json` (`--stage-runs`), ' +
      'apart from the measured ones, whose report would weigh on them; the receipts, keys and state-growth rows read them from their measured runs (a report of a few alerts).',
    '',
    ...tables,
  ];
}

/** What the keys rows' measured runs start from (the state right after the priming run's takeover), for their sections. */
export const PRIMED_KEYS_NOTE = 'The measured runs start from the state that priming run left: a key file just written whole (compacted), without the sections of changed keys that later firing minutes append to it (the bench data fires only in the incident minute, the measured one), so the cost of those sections is not in these rows. ';

/** The sections of issue 29's new rows (each only when measured). */
export function issue29Sections(res: BenchResults): string[] {
  const L: string[] = [];
  const row = (label: string, x: Summary) => `| ${label} | ${range(x)} | ${mb(x.rss_mb)} | ${sec(x.cpu_s)} |`;
  const r = res.receipts;
  if (r) {
    L.push(
      '## A week of receipts',
      '',
      `${int(r.alerts)} alerts (the first of the bench set), nothing matching, steady state; the state holds the receipts of sent notices (about 370 bytes each, ` +
        "spread over the week before the run, so that none is old enough for `prune_after` to forget), or none. Each starts as one `state.json` with them in its `sent` list, as older versions wrote it " +
        "(`test/bench/bigState.ts`); the priming run a minute earlier takes that file as alertcron takes any older state (it moves the receipts to wherever the file store keeps them now). " +
        'The measured runs therefore see the layout that takeover leaves (the receipts appended to the receipt log at once, as a migration does), not the one a week of live runs would leave ' +
        '(one file per day, appended run by run): the day files differ, not the receipts a run reads. ' +
        `Runs of the variants alternate; medians of ${r.variants[0]?.runs.runs ?? 0}; load average before: ${r.loadAvg?.join(', ') ?? '?'}. ` +
        '"state.json rewritten" is the size of the state file a measured run leaves (the largest of them): the file every run rewrites.',
      '',
      '| state | wall (median, min–max) | peak RSS | CPU | state.json rewritten |',
      '|---|---:|---:|---:|---:|',
      ...r.variants.map((v) => `${row(`${int(v.receipts)} receipts`, v.runs)} ${kb(v.stateJsonBytes)} |`),
      ...r.variants.filter((v) => v.receipts > 0).map((v) => `${row(`the first run on the ${(v.bytes / 1e6).toFixed(0)} MB file with ${int(v.receipts)} receipts (takes it over)`, v.first)} – |`),
      '',
    );
  }
  const f = res.firingKeys;
  if (f) {
    L.push(
      '## Many keys, firing',
      '',
      `One alert (bench alert 0: failed logons per user on one server, \`group_by\` the user) in the incident minute, where it fires once (one notice to email). Its state remembers ${int(f.keys)} other keys ` +
        '(seen within the last day, each notified once), or none; both start as one `state.json`, taken over by the priming run a minute earlier. ' +
        PRIMED_KEYS_NOTE +
        'Runs of the two alternate; ' +
        `medians of ${f.withKeys.runs.runs}; load average before: ${f.loadAvg?.join(', ') ?? '?'}.`,
      '',
      '| state | wall (median, min–max) | peak RSS | CPU |',
      '|---|---:|---:|---:|',
      row(`${int(f.keys)} keys`, f.withKeys.runs),
      row('no keys', f.withoutKeys.runs),
      row(`the first run on the ${(f.withKeys.bytes / 1e6).toFixed(0)} MB file with the keys (takes it over)`, f.withKeys.first),
      '',
    );
  }
  const b = res.big;
  if (b) {
    L.push(
      `## ${int(b.n)} alerts on one host`,
      '',
      `The bench's alerts 0 to ${int(b.n - 1)} (beyond the ${int(10_000)} servers, alert i watches server i mod 10,000), one alertcron host, file state; ` +
        `${int(b.expectedMatches)} of them match in the incident minute, one notice each. ElastAlert2 is not measured at this size (about 12 minutes a run, from its 70 s at 10,000). ` +
        `Medians of ${b.runs} runs; load average before: ${b.loadAvg?.join(', ') ?? '?'}. The cluster's own took is read from the \`--json\` stage runs of the same minutes, not from the measured runs; ` +
        "what limits a minute is the largest of the CPU's, the cluster's (took) and the network's (in flight less took) shares of the measured wall time.",
      '',
    );
    if (b.skipped) L.push(`Not measured: ${b.skipped}.`, '');
    else {
      L.push('| minute | wall (median, min–max) | peak RSS | CPU | requests | a request in flight | the cluster\'s own took (stage runs) | notices delivered | limited by |', '|---|---:|---:|---:|---:|---:|---:|---:|---|');
      for (const [label, x, st] of [['nothing matching', b.quiet, b.stages.quiet], ['the incident minute', b.incident, b.stages.incident]] as const) {
        if (!x) continue;
        const took = st?.clusterTookMs;
        L.push(`| ${label} | ${range(x)} | ${mb(x.rss_mb)} | ${sec(x.cpu_s)} | ${reqs(x)} | ${sec(x.clusterMs / 1000)} | ${took === undefined ? '–' : sec(took / 1000)} | ${x.delivered ?? '–'} | ${limitedBy(x.wall_s * 1000, x.cpu_s * 1000, x.clusterMs, took, TOOK_FROM)} |`);
      }
      L.push('');
    }
  }
  return L;
}
