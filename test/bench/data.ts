// The benchmark's data: one busy day of Windows authentication events (winlogbeat-like) over many users and
// hosts, plus a handful of "incidents" in one minute that make exactly every tenth alert of the bench match.
// Everything is generated from a fixed seed, so every machine indexes the same documents.
import { createIndex, logonEvent } from '../support/seed.js';

/** The index the bench writes; alerts search the pattern INDEX_PATTERN. */
export const INDEX = 'bench-auth-2025.03.11';
export const INDEX_PATTERN = 'bench-auth-*';
/** Bump when the generated documents change: a seeded index with another version is rebuilt. */
export const SEED_VERSION = 'bench-seed-v3';

/** The day seeded (UTC). */
export const DAY = Date.UTC(2025, 2, 11);
const HOUR = 3_600_000;
const MIN = 60_000;

/** Background events of the day (the incidents come on top). */
export const BACKGROUND_EVENTS = 1_200_000;
export const USERS = 50_000;
export const WORKSTATIONS = 20_000;
/** One server per possible alert: alert i watches server srv-i (up to the largest size, 10,000). */
export const SERVERS = 10_000;

/** Scenario "nothing matching": a run at QUIET_NOW searches [QUIET_NOW - 1m, QUIET_NOW), ordinary traffic only. */
export const QUIET_NOW = DAY + 12 * HOUR;
/** Scenario "10% matching": a run at INCIDENT_NOW searches the minute holding the incidents. */
export const INCIDENT_NOW = DAY + 15 * HOUR;
/** The window every alert searches in a steady-state cron run (every: 1m). */
export const WINDOW_MS = MIN;

/** Relative traffic per hour of the day: a busy office day. */
const HOURLY_WEIGHT = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.6, 1.2, 2, 2, 2, 2, 1.5, 2, 2, 2, 2, 1.2, 0.8, 0.8, 0.4, 0.4, 0.4, 0.4];

/** The kinds of alert the bench generates, by alert number i: i % 3. */
export type AlertKind = 'count' | 'any' | 'buckets';
export function kindOf(i: number): AlertKind {
  return (['count', 'any', 'buckets'] as const)[i % 3]!;
}
/** Alerts i with i % 10 == 0 have an incident in the incident minute: 10% of any N that is a multiple of 10. */
export function matchesInIncident(i: number): boolean {
  return i % 10 === 0;
}

/**
 * Whether alert i (any i: beyond the servers, alert i watches server i mod SERVERS) matches in the incident minute:
 * its server's incident is made for the kind of the alert below SERVERS, so only an alert of that same kind finds it
 * (of the ten alerts watching a server at 100,000, four: i mod 3 cycles with i / SERVERS).
 */
export function alertMatchesInIncident(i: number): boolean {
  return matchesInIncident(i) && kindOf(i) === kindOf(i % SERVERS);
}

export const serverName = (i: number) => `srv-${String(i).padStart(4, '0')}`;
export const adminName = (i: number) => `adm-${String(i).padStart(4, '0')}`;
const userName = (u: number) => `u${String(u).padStart(5, '0')}`;
const workstationName = (w: number) => `ws-${String(w).padStart(5, '0')}`;
const workstationIp = (w: number) => `10.1.${w >> 8}.${w & 255}`;

/** Thresholds of the generated alerts (alertcron and ElastAlert2 alike). */
export const COUNT_THRESHOLD = 20; // failed logons of one user on one server in the window
export const SPRAY_USERS = 10; // distinct users failing from one source IP on one server in the window

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One background event: logons, logoffs, failures and privileged logons, skewed towards busy users and servers. */
function backgroundEvent(at: number, rand: () => number): Record<string, unknown> {
  const u = Math.floor(USERS * rand() * rand());
  const home = u % WORKSTATIONS;
  const onServer = rand() < 0.4;
  const host = onServer ? serverName(Math.floor(SERVERS * rand() * rand())) : workstationName(home);
  const r = rand();
  const code = r < 0.55 ? '4624' : r < 0.8 ? '4634' : r < 0.88 ? '4625' : r < 0.98 ? '4672' : '4648';
  const event = logonEvent(at, userName(u), { host, ip: workstationIp(home) }) as Record<string, any>;
  event.event.code = code;
  event.event.outcome = code === '4625' ? 'failure' : 'success';
  event.winlog.event_data.LogonType = onServer ? '3' : rand() < 0.9 ? '2' : '11';
  event.winlog.event_data.TargetDomainName = 'CORP';
  event.winlog.computer_name = `${host}.corp.example`;
  return event;
}

/** The background events of one hour, in no particular order. */
function* hourEvents(hour: number, count: number): Generator<Record<string, unknown>> {
  const rand = rng(0xa11ce + hour);
  const start = DAY + hour * HOUR;
  for (let k = 0; k < count; k++) yield backgroundEvent(start + Math.floor(rand() * HOUR), rand);
}

/** The incident events: every alert i with i % 10 == 0 (up to SERVERS) gets something that makes it match. */
export function incidentEvents(): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  const minute = INCIDENT_NOW - WINDOW_MS;
  const at = (second: number, ms = 0) => minute + second * 1000 + ms;
  for (let i = 0; i < SERVERS; i++) {
    if (!matchesInIncident(i)) continue;
    const host = serverName(i);
    const kind = kindOf(i);
    if (kind === 'count') {
      // a password-guessing burst against one account on this server
      for (let k = 0; k < COUNT_THRESHOLD + 5; k++) {
        const e = logonEvent(at(5 + 2 * k, i % 997), `svc-${String(i).padStart(4, '0')}`, { code: '4625', host, ip: `203.0.113.${i % 250}` }) as Record<string, any>;
        e.event.outcome = 'failure';
        docs.push(e);
      }
    } else if (kind === 'any') {
      // a logon with this server's break-glass account
      docs.push(logonEvent(at(30, i % 997), adminName(i), { host, ip: `10.9.${i >> 8}.${i & 255}` }));
    } else {
      // password spraying: one source IP failing against many accounts on this server
      for (let k = 0; k < SPRAY_USERS + 2; k++) {
        const e = logonEvent(at(10 + 3 * k, i % 997), `${userName((i * 7 + k * 131) % USERS)}`, { code: '4625', host, ip: `198.51.100.${i % 250}` }) as Record<string, any>;
        e.event.outcome = 'failure';
        docs.push(e);
      }
    }
  }
  return docs;
}

/** How many background events each hour gets. */
function hourlyCounts(): number[] {
  const total = HOURLY_WEIGHT.reduce((a, b) => a + b, 0);
  const counts = HOURLY_WEIGHT.map((w) => Math.floor((BACKGROUND_EVENTS * w) / total));
  counts[9]! += BACKGROUND_EVENTS - counts.reduce((a, b) => a + b, 0);
  return counts;
}

/** The number of documents a complete seed holds. */
export function expectedDocs(): number {
  return BACKGROUND_EVENTS + incidentEvents().length;
}

async function es(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : {};
}

/** What seeding found or did. */
export interface SeedResult {
  docs: number;
  seededNow: boolean;
  seconds: number;
  sizeBytes: number;
}

/**
 * Seeds the index unless it already holds this seed version's complete set of documents: bulk requests of
 * 10,000 documents, two in flight, refresh disabled during the load, one refresh at the end.
 */
export async function seed(url: string, log: (line: string) => void): Promise<SeedResult> {
  const started = Date.now();
  const expected = expectedDocs();
  const mapping = await es(url, 'GET', `/${INDEX}/_mapping`);
  const meta = mapping?.[INDEX]?.mappings?._meta;
  if (meta?.seed === SEED_VERSION) {
    const count = (await es(url, 'GET', `/${INDEX}/_count`)).count;
    if (count === expected) {
      log(`seed: ${INDEX} already holds the ${count.toLocaleString('en-US')} documents of ${SEED_VERSION}; not seeding`);
      return { docs: count, seededNow: false, seconds: 0, sizeBytes: await sizeOf(url) };
    }
  }
  if (mapping?.[INDEX]) {
    log(`seed: ${INDEX} exists but is incomplete or of another seed version: deleting it`);
    await es(url, 'DELETE', `/${INDEX}`);
  }
  await createIndex(url, INDEX);
  await es(url, 'PUT', `/${INDEX}/_settings`, { index: { refresh_interval: '-1' } });

  const BATCH = 10_000;
  const IN_FLIGHT = 2;
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  const send = async (docs: Record<string, unknown>[]) => {
    const action = `${JSON.stringify({ index: { _index: INDEX } })}\n`;
    const body = docs.map((d) => action + JSON.stringify(d) + '\n').join('');
    const result = await es(url, 'POST', '/_bulk', body);
    if (result.errors) throw new Error(`bulk indexing failed: ${JSON.stringify(result.items.find((i: any) => i.index?.error)).slice(0, 500)}`);
    sent += docs.length;
  };
  const queue = async (docs: Record<string, unknown>[]) => {
    const p = send(docs).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  let batch: Record<string, unknown>[] = [];
  const counts = hourlyCounts();
  for (let hour = 0; hour < 24; hour++) {
    for (const doc of hourEvents(hour, counts[hour]!)) {
      batch.push(doc);
      if (batch.length === BATCH) {
        await queue(batch);
        batch = [];
      }
    }
    log(`seed: hour ${String(hour).padStart(2, '0')} queued (${sent.toLocaleString('en-US')} documents indexed so far)`);
  }
  batch.push(...incidentEvents());
  await queue(batch);
  await Promise.all(inFlight);
  await es(url, 'PUT', `/${INDEX}/_settings`, { index: { refresh_interval: null } });
  await es(url, 'POST', `/${INDEX}/_refresh`);
  // Merge to one segment now, so that no background merge runs during the measurements (and every machine
  // searches the same index layout).
  log('seed: force-merging to one segment');
  await es(url, 'POST', `/${INDEX}/_forcemerge?max_num_segments=1`);
  const count = (await es(url, 'GET', `/${INDEX}/_count`)).count;
  if (count !== expected) throw new Error(`seeding ended with ${count} documents instead of ${expected}`);
  await es(url, 'PUT', `/${INDEX}/_mapping`, { _meta: { seed: SEED_VERSION, docs: count } });
  const seconds = (Date.now() - started) / 1000;
  log(`seed: indexed ${count.toLocaleString('en-US')} documents in ${seconds.toFixed(0)} s`);
  return { docs: count, seededNow: true, seconds, sizeBytes: await sizeOf(url) };
}

async function sizeOf(url: string): Promise<number> {
  const stats = await es(url, 'GET', `/${INDEX}/_stats/store`);
  return stats?._all?.primaries?.store?.size_in_bytes ?? 0;
}

/** Number of documents in a window [from, to) of the seeded index (to describe the data in the report). */
export async function docsInWindow(url: string, from: number, to: number): Promise<number> {
  const body = { query: { range: { '@timestamp': { gte: from, lt: to, format: 'epoch_millis' } } } };
  return (await es(url, 'POST', `/${INDEX}/_count`, body)).count;
}
