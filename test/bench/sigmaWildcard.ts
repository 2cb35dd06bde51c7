// The cost of Sigma's case-insensitive matching on a large keyword index (issue 27 point 3): a `wildcard` query with
// `case_insensitive: true` against the same pattern case-sensitive, and against a lowercase-normalised keyword
// sub-field (the mapping that avoids the case-insensitive automaton); query time and the JVM's heap and GC from
// _nodes/stats around each series. It measures and reports; nothing is asserted.
import { rng } from './data.js';

/** One query series: its median engine time (`took`), wall time at the client, hits, and the JVM around it. */
export interface WildcardSeries {
  label: string;
  query: Record<string, unknown>;
  hits: number;
  took_ms: number;
  wall_ms: number;
  /** Largest heap used seen while the series ran (polled every 25 ms), and before it. */
  heap_before_mb: number;
  heap_peak_mb: number;
  /** Young and old GC collections and their time during the series. */
  young_gcs: number;
  young_gc_ms: number;
  old_gcs: number;
}

/** What the measurement found. */
export interface WildcardResult {
  docs: number;
  index: string;
  store_mb: number;
  /** Heap the index's segments hold (terms, norms ... as _stats reports it). */
  segments_memory_mb: number;
  heap_max_mb: number;
  seed_s: number;
  runs: number;
  series: WildcardSeries[];
}

const FIELD = 'process.command_line';
const LOWER = `${FIELD}.lower`;
const EXES = ['whoami.exe', 'cmd.exe', 'powershell.exe', 'rundll32.exe', 'svchost.exe', 'conhost.exe', 'net.exe', 'reg.exe', 'schtasks.exe', 'msiexec.exe', 'explorer.exe', 'chrome.exe'];
const DIRS = ['C:\\Windows\\System32\\', 'C:\\WINDOWS\\system32\\', 'c:\\windows\\SysWOW64\\', 'C:\\Program Files\\App\\', 'C:\\Users\\Public\\'];
/** One command line in a thousand is exactly this, in one of three casings (the equality series looks for it). */
const EXACT = '"C:\\Windows\\System32\\whoami.exe" /all';
const ARGS = ['/all', '/c echo', '-enc', '/priv', 'user /domain', '-NoProfile -ExecutionPolicy Bypass', '/create /tn', 'localgroup administrators', '/i', '--type=renderer'];

/** Mixed-case command lines, most of them unique (a random token), like a fleet's process creations. */
function commandLine(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  if (rand() < 0.001) return pick([EXACT, EXACT.toUpperCase(), EXACT.toLowerCase()]);
  let exe = pick(EXES);
  if (rand() < 0.3) exe = exe.toUpperCase();
  const token = Math.floor(rand() * 2 ** 32).toString(36);
  return `"${pick(DIRS)}${exe}" ${pick(ARGS)} ${token}`;
}

async function call(esUrl: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${esUrl}${path}`, {
    method,
    headers: { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

/** Creates and fills the index (keyword field + lowercase-normalised sub-field) unless it already holds `docs` documents. */
async function seedIndex(esUrl: string, index: string, docs: number, log: (line: string) => void): Promise<number> {
  const existing = await call(esUrl, 'GET', `/${index}/_count`).catch(() => undefined);
  if (existing?.count === docs) return 0;
  const started = Date.now();
  await call(esUrl, 'DELETE', `/${index}?ignore_unavailable=true`);
  await call(esUrl, 'PUT', `/${index}`, {
    settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1', analysis: { normalizer: { lowercase: { type: 'custom', filter: ['lowercase'] } } } },
    mappings: { properties: { process: { properties: { command_line: { type: 'keyword', fields: { lower: { type: 'keyword', normalizer: 'lowercase' } } } } } } },
  });
  const rand = rng(27);
  const batch = 10_000;
  for (let done = 0; done < docs; done += batch) {
    const lines: string[] = [];
    for (let i = done; i < Math.min(docs, done + batch); i++) lines.push('{"index":{}}', JSON.stringify({ process: { command_line: commandLine(rand) } }));
    const result = await call(esUrl, 'POST', `/${index}/_bulk`, lines.join('\n') + '\n');
    if (result.errors) throw new Error(`bulk into ${index} failed: ${JSON.stringify(result).slice(0, 300)}`);
    if ((done / batch) % 20 === 0) log(`bench: sigma wildcard index: ${done.toLocaleString('en-US')} of ${docs.toLocaleString('en-US')} documents`);
  }
  await call(esUrl, 'PUT', `/${index}/_settings`, { index: { refresh_interval: '1s' } });
  await call(esUrl, 'POST', `/${index}/_refresh`);
  await call(esUrl, 'POST', `/${index}/_forcemerge?max_num_segments=1`);
  return (Date.now() - started) / 1000;
}

interface JvmSnapshot {
  heapUsed: number;
  heapMax: number;
  youngCount: number;
  youngMs: number;
  oldCount: number;
}

async function jvm(esUrl: string): Promise<JvmSnapshot> {
  const stats = await call(esUrl, 'GET', '/_nodes/_local/stats/jvm');
  const node = Object.values(stats.nodes as Record<string, any>)[0];
  const gc = node.jvm.gc.collectors;
  return {
    heapUsed: node.jvm.mem.heap_used_in_bytes,
    heapMax: node.jvm.mem.heap_max_in_bytes,
    youngCount: gc.young?.collection_count ?? 0,
    youngMs: gc.young?.collection_time_in_millis ?? 0,
    oldCount: gc.old?.collection_count ?? 0,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The series compared: what Sigma's `contains`, `endswith` and plain equality become with each mapping choice. */
function seriesQueries(): { label: string; query: Record<string, unknown> }[] {
  const contains = '*whoami*';
  const endswith = '*\\\\windows\\\\system32\\\\whoami.exe"*';
  const exact = EXACT;
  return [
    { label: 'contains: wildcard, case_insensitive (the DSL output)', query: { wildcard: { [FIELD]: { value: contains, case_insensitive: true } } } },
    { label: 'contains: wildcard, case-sensitive (pySigma Lucene on a keyword)', query: { wildcard: { [FIELD]: { value: contains } } } },
    { label: 'contains: wildcard on the lowercase-normalised sub-field', query: { wildcard: { [LOWER]: { value: contains } } } },
    { label: 'endswith (long pattern): wildcard, case_insensitive', query: { wildcard: { [FIELD]: { value: endswith, case_insensitive: true } } } },
    { label: 'endswith (long pattern): wildcard, case-sensitive', query: { wildcard: { [FIELD]: { value: endswith } } } },
    { label: 'endswith (long pattern): wildcard on the sub-field', query: { wildcard: { [LOWER]: { value: endswith.toLowerCase() } } } },
    { label: 'equality: term, case_insensitive', query: { term: { [FIELD]: { value: exact, case_insensitive: true } } } },
    { label: 'equality: term, case-sensitive', query: { term: { [FIELD]: { value: exact } } } },
    { label: 'equality: term on the sub-field', query: { term: { [LOWER]: { value: exact } } } },
  ];
}

/** Seeds (or reuses) the index and measures every series `runs` times after two warm-up queries. */
export async function measureWildcardCost(esUrl: string, options: { docs: number; runs: number; index?: string; keep?: boolean }, log: (line: string) => void): Promise<WildcardResult> {
  const index = options.index ?? `bench_sigma_wildcard_${options.docs}`;
  const seed_s = await seedIndex(esUrl, index, options.docs, log);
  const stats = await call(esUrl, 'GET', `/${index}/_stats/store,segments`);
  const total = stats._all.primaries;
  const series: WildcardSeries[] = [];
  try {
    for (const { label, query } of seriesQueries()) {
      const search = async (): Promise<{ took: number; wall: number; hits: number }> => {
        const t0 = performance.now();
        const r = await call(esUrl, 'POST', `/${index}/_search?request_cache=false`, { size: 0, track_total_hits: true, query });
        return { took: r.took, wall: performance.now() - t0, hits: r.hits.total.value };
      };
      await search();
      await search();
      const before = await jvm(esUrl);
      let peak = before.heapUsed;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          peak = Math.max(peak, (await jvm(esUrl)).heapUsed);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const samples: { took: number; wall: number; hits: number }[] = [];
      for (let r = 0; r < options.runs; r++) samples.push(await search());
      polling = false;
      await poller;
      const after = await jvm(esUrl);
      series.push({
        label,
        query,
        hits: samples[0]!.hits,
        took_ms: median(samples.map((s) => s.took)),
        wall_ms: median(samples.map((s) => s.wall)),
        heap_before_mb: before.heapUsed / 1e6,
        heap_peak_mb: Math.max(peak, after.heapUsed) / 1e6,
        young_gcs: after.youngCount - before.youngCount,
        young_gc_ms: after.youngMs - before.youngMs,
        old_gcs: after.oldCount - before.oldCount,
      });
      const s = series[series.length - 1]!;
      log(`bench: sigma wildcard: ${label}: ${s.hits} hits, took ${s.took_ms} ms (wall ${s.wall_ms.toFixed(1)} ms), heap peak ${s.heap_peak_mb.toFixed(0)} MB, young GCs ${s.young_gcs} (${s.young_gc_ms} ms)`);
    }
  } finally {
    if (!options.keep) await call(esUrl, 'DELETE', `/${index}?ignore_unavailable=true`).catch(() => undefined);
  }
  const heap = await jvm(esUrl);
  return {
    docs: options.docs,
    index,
    store_mb: total.store.size_in_bytes / 1e6,
    segments_memory_mb: (total.segments.memory_in_bytes ?? 0) / 1e6,
    heap_max_mb: heap.heapMax / 1e6,
    seed_s,
    runs: options.runs,
    series,
  };
}
