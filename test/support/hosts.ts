import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultConfig, type CliResult, type Project } from './project.js';
import { iso, type World } from './world.js';

/**
 * Several deployments acting as cron hosts that share one cluster state index: each has its own folder, host_id,
 * local_file and clock offset, and the same alerts. Helpers to run them at a minute of alert time, to read the
 * state documents, to watch the leases' holders and tokens, and to read what each alert evaluated.
 */

const MIN = 60_000;

/** One deployment folder acting as one cron host. */
export interface Host {
  /** Its state.host_id: host-1 ... host-N. */
  id: string;
  project: Project;
  /** How far its clock is off (ms): added to ALERTCRON_NOW and to the leases' clock (ALERTCRON_CLOCK_OFFSET_MS). */
  offsetMs: number;
}

/** Settings of a set of hosts; the short lease times make a takeover take seconds, not minutes. */
export interface HostsOptions {
  /** The shared state index (created by the first run). */
  index: string;
  /** The alerts every host has, by file name. */
  alerts: Record<string, Record<string, unknown>>;
  /** Each host's clock offset in ms, by position (host-1 first); 0 when not given. */
  offsetsMs?: number[];
  partitionLease?: string;
  hostTtl?: string;
  deadline?: string;
  delivery?: Record<string, unknown>;
  /** The state settings of hosts set up before partitions (no partition_lease, host_ttl, max_clock_skew): the defaults. */
  todaysSettings?: boolean;
  /** The engine URL of a host (e.g. a gate proxy for one of them); the world's engine otherwise. */
  esUrlOf?: (id: string) => string;
}

/** N deployments (host-1 ... host-N) with the same alerts and one shared state index. */
export function hostDeployments(world: World, n: number, options: HostsOptions): Host[] {
  const deadline = options.deadline ?? '20s';
  return Array.from({ length: n }, (_, i) => {
    const id = `host-${i + 1}`;
    const project = world.project();
    const esUrl = options.esUrlOf?.(id) ?? world.esUrl;
    const base = defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
    project.writeConfig({
      ...base,
      // Long enough that a host stopped while it searches does not time out when it goes on.
      elasticsearch: { url: esUrl, timeout: '30s' },
      run: { deadline },
      delivery: { deadline: '12s', attempt_timeout: '4s', retries: 0, concurrency: 2, ...options.delivery },
      state: options.todaysSettings ? { backend: 'cluster', index: options.index, host_id: id } : {
        backend: 'cluster',
        index: options.index,
        host_id: id,
        max_clock_skew: '1s',
        partition_lease: options.partitionLease ?? '5s',
        host_ttl: options.hostTtl ?? '30s',
        // Today's whole-run lease (kept for `state migrate` and older hosts): long enough for a run, short waits.
        lease_ttl: '25s',
        lock_wait: '2s',
      },
    });
    for (const [name, alert] of Object.entries(options.alerts)) project.writeAlert(name, alert);
    return { id, project, offsetMs: options.offsetsMs?.[i] ?? 0 };
  });
}

/** The environment of a host's run at `minute` minutes after `base` (alert time), its clock off by its offset. */
export function envAt(host: Host, base: number, minute: number): Record<string, string> {
  return { ALERTCRON_NOW: iso(base + minute * MIN + host.offsetMs), ALERTCRON_CLOCK_OFFSET_MS: String(host.offsetMs) };
}

/** A run of a host that was spawned: its process (to kill, stop or continue) and how it ended. */
export interface SpawnedRun {
  host: Host;
  minute: number;
  child: ChildProcess;
  pid: number;
  /** When it was spawned (wall clock, epoch ms). */
  startedAt: number;
  done: Promise<CliResult>;
}

/** Spawns `alertcron run --json` on a host at a minute of alert time, as cron would. */
export function spawnAt(host: Host, base: number, minute: number, args: string[] = ['run', '--json']): SpawnedRun {
  const child = host.project.spawn(args, envAt(host, base, minute));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { host, minute, child, pid: child.pid!, startedAt: Date.now(), done };
}

/** Runs `alertcron run --json` on a host at a minute of alert time and waits for it. */
export function runAt(host: Host, base: number, minute: number): Promise<CliResult> {
  return spawnAt(host, base, minute).done;
}

/** A stored state document: its id, sequence number and source. */
export interface StateDoc {
  _id: string;
  _seq_no: number;
  _source: any;
}

/** The stored documents of a state index (after a refresh), by id. */
export async function stateDocs(esUrl: string, index: string): Promise<Map<string, StateDoc>> {
  await fetch(`${esUrl}/${index}/_refresh`, { method: 'POST' });
  const docs = new Map<string, StateDoc>();
  let after: unknown[] | undefined;
  for (;;) {
    const body = { size: 5_000, seq_no_primary_term: true, sort: [{ _id: 'asc' }], ...(after ? { search_after: after } : {}) };
    const response = await fetch(`${esUrl}/${index}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status === 404) return docs;
    const answer = (await response.json()) as { hits?: { hits: (StateDoc & { sort: unknown[] })[] } };
    const hits = answer.hits?.hits ?? [];
    for (const hit of hits) docs.set(hit._id, hit);
    if (hits.length < 5_000) return docs;
    after = hits[hits.length - 1]!.sort;
  }
}

/** The lease documents a poller watches: the partitions' and the coordinator's (`part:`), and today's whole-run lease. */
export function leaseIds(): string[] {
  return [...Array.from({ length: 64 }, (_, p) => `part:${p}`), 'part:coordinator', 'lease:run'];
}

/** One observed state of a lease document. */
export interface LeaseSeen {
  at: number;
  holder: string;
  token: number;
  released: boolean;
}

/** An evaluated (committed) window of an alert, epoch ms. */
export interface SeenWindow {
  from: number;
  to: number;
}

/**
 * Polls the lease documents (realtime GET by id, every ~100 ms) and records each change of holder or token, and
 * each change of an alert's committed window (from `part:<p>` bodies, or from `alert:<name>` documents when the
 * windows live there).
 */
export class LeasePoller {
  /** Each lease's history, one entry per change of holder, token or released. */
  readonly leases = new Map<string, LeaseSeen[]>();
  /** Each alert's committed windows in the order they were seen, without repeats. */
  readonly windows = new Map<string, SeenWindow[]>();
  /** Polls made, and polls that failed (the engine busy). */
  polls = 0;
  failures = 0;
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly esUrl: string,
    private readonly index: string,
    private readonly alerts: readonly string[],
    private readonly everyMs = 100,
  ) {}

  /** Starts polling. */
  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops polling after one last look. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.poll();
  }

  /**
   * Polls once now (also used by tests to see the latest state before asserting); polls run one after another, so
   * that an older answer is never noted after a newer one (which would look like a token going down).
   */
  poll(): Promise<void> {
    const next = this.polling.then(() => this.pollOnce());
    this.polling = next;
    return next;
  }

  private polling: Promise<void> = Promise.resolve();

  private async pollOnce(): Promise<void> {
    const ids = [...leaseIds(), ...this.alerts.map((a) => `alert:${a}`)];
    let docs: { _id: string; found: boolean; _source?: any }[];
    try {
      const response = await fetch(`${this.esUrl}/${this.index}/_mget`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids }) });
      if (!response.ok) return void (response.status !== 404 && this.failures++);
      docs = ((await response.json()) as { docs: typeof docs }).docs;
    } catch {
      this.failures++;
      return;
    }
    this.polls++;
    const at = Date.now();
    const fromParts = new Map<string, SeenWindow>();
    const fromAlerts = new Map<string, SeenWindow>();
    for (const doc of docs) {
      if (!doc.found || !doc._source) continue;
      const source = doc._source;
      if (doc._id.startsWith('alert:')) {
        const window = asWindow(source.body?.window);
        if (window) fromAlerts.set(doc._id.slice('alert:'.length), window);
        continue;
      }
      this.note(doc._id, { at, holder: String(source.holder), token: Number(source.token), released: !!source.released });
      for (const [alert, hot] of Object.entries((source.body?.windows ?? {}) as Record<string, { window?: unknown }>)) {
        const window = asWindow(hot?.window);
        if (window) fromParts.set(alert, window);
      }
    }
    for (const alert of this.alerts) {
      const window = fromParts.get(alert) ?? fromAlerts.get(alert);
      if (!window) continue;
      const seen = this.windows.get(alert) ?? [];
      const last = seen[seen.length - 1];
      if (!last || last.from !== window.from || last.to !== window.to) seen.push(window);
      this.windows.set(alert, seen);
    }
  }

  /** Where the history breaks "one holder at a time": a token seen with two holders, or a new holder whose token did not go up. */
  violations(): string[] {
    const found: string[] = [];
    for (const [lease, history] of this.leases) {
      const holderOf = new Map<number, string>();
      for (let i = 0; i < history.length; i++) {
        const seen = history[i]!;
        const earlier = holderOf.get(seen.token);
        if (earlier !== undefined && earlier !== seen.holder) found.push(`${lease}: token ${seen.token} held by ${earlier} and by ${seen.holder}`);
        holderOf.set(seen.token, seen.holder);
        const before = history[i - 1];
        if (before && before.holder !== seen.holder && seen.token <= before.token) found.push(`${lease}: ${seen.holder} took it from ${before.holder} without raising the token (${before.token} -> ${seen.token})`);
        if (before && seen.token < before.token) found.push(`${lease}: the token went down (${before.token} -> ${seen.token})`);
      }
    }
    return found;
  }

  /** The hosts (host_id) ever seen holding any lease. */
  holderHosts(leaseFilter: (lease: string) => boolean = (lease) => lease.startsWith('part:')): Set<string> {
    const hosts = new Set<string>();
    for (const [lease, history] of this.leases) if (leaseFilter(lease)) for (const seen of history) hosts.add(hostOf(seen.holder));
    return hosts;
  }

  /** The leases whose latest holder (not released) is a run of this process id. */
  heldBy(pid: number): string[] {
    return [...this.leases].filter(([, history]) => {
      const last = history[history.length - 1];
      return last && !last.released && last.holder.includes(`/${pid}/`);
    }).map(([lease]) => lease);
  }

  private note(lease: string, seen: LeaseSeen): void {
    const history = this.leases.get(lease) ?? [];
    const last = history[history.length - 1];
    if (!last || last.holder !== seen.holder || last.token !== seen.token || last.released !== seen.released) history.push(seen);
    this.leases.set(lease, history);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      await this.poll();
      await sleep(Math.max(0, this.everyMs - (Date.now() - started)));
    }
  }
}

/** The host_id of a lease holder `host_id@instance/pid/run`. */
export function hostOf(holder: string): string {
  return holder.split('@')[0]!;
}

/** An ISO or epoch window as epoch ms; undefined when it is not one. */
function asWindow(value: unknown): SeenWindow | undefined {
  const w = value as { from?: unknown; to?: unknown } | undefined;
  if (!w || w.from === undefined || w.to === undefined) return undefined;
  const from = typeof w.from === 'number' ? w.from : Date.parse(String(w.from));
  const to = typeof w.to === 'number' ? w.to : Date.parse(String(w.to));
  return Number.isNaN(from) || Number.isNaN(to) ? undefined : { from, to };
}

/** The windows a finished `run --json` says it evaluated (alerts with status ok), by alert; none when its output is not a report. */
export function evaluatedWindows(result: CliResult): Map<string, SeenWindow> {
  const windows = new Map<string, SeenWindow>();
  let report: { alerts?: { name: string; status: string; window?: { from: string; to: string } }[] };
  try {
    report = JSON.parse(result.stdout);
  } catch {
    return windows;
  }
  for (const alert of report.alerts ?? []) {
    const window = alert.status === 'ok' ? asWindow(alert.window) : undefined;
    if (window) windows.set(alert.name, window);
  }
  return windows;
}

/**
 * Where an alert's evaluated windows break the chain: a gap or an overlap between consecutive windows (sorted by
 * start; the same window twice is an overlap), or a chain that does not cover `coverFrom` to `coverTo`.
 */
export function windowBreaks(alert: string, windows: readonly SeenWindow[], coverFrom: number, coverTo: number): string[] {
  const sorted = [...windows].sort((a, b) => a.from - b.from || a.to - b.to);
  const breaks: string[] = [];
  const at = (ms: number) => iso(ms).slice(11, 23);
  if (!sorted.length) return [`${alert}: never evaluated`];
  if (sorted[0]!.from > coverFrom) breaks.push(`${alert}: the first window starts at ${at(sorted[0]!.from)}, after ${at(coverFrom)}`);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.from > before.to) breaks.push(`${alert}: gap ${at(before.to)}..${at(next.from)}`);
    if (next.from < before.to) breaks.push(`${alert}: overlap of ${at(before.from)}..${at(before.to)} and ${at(next.from)}..${at(next.to)}`);
  }
  if (sorted[sorted.length - 1]!.to < coverTo) breaks.push(`${alert}: evaluated only up to ${at(sorted[sorted.length - 1]!.to)}, not ${at(coverTo)}`);
  return breaks;
}

/**
 * The titles of the notices a run (by process id) had claimed and not marked sent: those it may have had in flight
 * when it was killed or stopped (read at once, before their claims run out and another host takes them).
 */
export async function inFlightTitles(esUrl: string, index: string, pid: number): Promise<string[]> {
  const docs = await stateDocs(esUrl, index);
  const titles: string[] = [];
  for (const [id, doc] of docs) {
    if (!id.startsWith('claim:') || doc._source.state === 'sent' || !String(doc._source.holder).includes(`/${pid}/`)) continue;
    const pending = docs.get(`pending:${id.slice('claim:'.length)}`);
    if (pending?._source.body?.title) titles.push(pending._source.body.title);
  }
  return titles;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check` holds, polling every 50 ms; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** An HTTP proxy in front of the engine that can hold the next request of a kind until the test lets it through. */
export interface GateProxy {
  url: string;
  /**
   * Holds the next request whose path matches: resolves once it arrived (the client now waits for its answer), with
   * `open()` to forward it and answer. Other requests pass at once.
   */
  hold(path: RegExp): Promise<{ open(): void }>;
  /** Holds nothing more (a hold whose request never came). */
  disarm(): void;
  close(): Promise<void>;
}

/** Starts a gate proxy on a free local port forwarding to `target`. */
export async function startGateProxy(target: string): Promise<GateProxy> {
  let armed: { path: RegExp; arrived: (gate: { open(): void }) => void } | undefined;
  const read = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer(async (request, response) => {
    const body = await read(request);
    if (armed && armed.path.test(request.url ?? '')) {
      const { arrived } = armed;
      armed = undefined;
      await new Promise<void>((open) => arrived({ open }));
    }
    try {
      const headers: Record<string, string> = request.headers['content-type'] ? { 'content-type': request.headers['content-type'] } : {};
      const answer = await fetch(`${target}${request.url}`, { method: request.method, headers, ...(body.length ? { body } : {}) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      request.socket.destroy();
    }
  });
  // A client killed mid-request resets its connection: not the proxy's failure.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: (path) => new Promise((arrived) => (armed = { path, arrived })),
    disarm: () => (armed = undefined),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
