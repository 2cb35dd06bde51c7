// Summarises a V8 .cpuprofile (from `node --cpu-prof`) into self time per function and per module.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  ms: number;
  share: number;
}
export interface ProfileSummary {
  totalMs: number;
  /** Each sample charged to the nearest alertcron or npm frame on its stack, grouped into areas of a run. */
  byArea: ProfileRow[];
  /** The same, by file of alertcron or npm package. */
  byOwner: ProfileRow[];
  byModule: ProfileRow[];
  /** Every module, not only the top ones (for sums). */
  allModules: ProfileRow[];
  byFunction: ProfileRow[];
  /** Inclusive time (self + callees) of alertcron's own functions: where each part of a run goes. */
  alertcronInclusive: ProfileRow[];
}

/** The module a frame belongs to: a file of alertcron, an npm package, a part of node itself, or a VM pseudo-frame. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(idle)') return '(idle: waiting for I/O, e.g. the cluster)';
    if (functionName.startsWith('(')) return functionName;
    return '(native / V8 builtins)';
  }
  const dist = url.indexOf('/dist/src/');
  if (dist >= 0) return `alertcron src/${url.slice(dist + '/dist/src/'.length).replace(/\.js$/, '.ts')}`;
  const bin = url.indexOf('/bin/alertcron.js');
  if (bin >= 0) return 'alertcron bin/alertcron.js';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/module')) return 'node: module loading (node:internal/modules)';
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length).replace(/^internal\//, 'internal/').split('/').slice(0, 2).join('/')}`;
  return url;
}

function shortUrl(url: string): string {
  const dist = url.indexOf('/dist/src/');
  if (dist >= 0) return `src/${url.slice(dist + '/dist/src/'.length)}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  return url;
}

/** Self time per module and per function, largest first. */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i: attribute it to sample i-1.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const totalUs = profile.endTime - profile.startTime;
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const mod = moduleOf(url, functionName);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
    const fn = url ? `${functionName || '(anonymous)'} (${shortUrl(url)}:${lineNumber + 1})` : functionName || '(anonymous)';
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  // Charge each sample to the nearest frame of alertcron or of an npm package on its stack (node's own
  // fs/streams/url work then counts for whoever asked for it).
  const owners = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let owner: string | undefined;
    let loading = false;
    for (let at: number | undefined = id; at !== undefined && owner === undefined; at = parent.get(at)) {
      const { url } = byId.get(at)!.callFrame;
      if (url.includes('/dist/src/') || url.includes('/node_modules/') || url.endsWith('/bin/alertcron.js')) owner = moduleOf(url, '');
      else if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/bootstrap') || url.startsWith('node:internal/main')) loading = true;
    }
    const { functionName, url } = byId.get(id)!.callFrame;
    if (owner === undefined) owner = !url && functionName.startsWith('(') ? moduleOf(url, functionName) : loading ? 'node: start-up and module loading' : 'node: other internals';
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const area = areaOf(owner);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  // Inclusive time of alertcron's functions: every sample counts once for each distinct function on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!url.includes('/dist/src/') || !functionName) continue;
      const fn = `${functionName} (${shortUrl(url)}:${lineNumber + 1})`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>, limit = top) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, byArea: rows(areas, Infinity), byOwner: rows(owners), byModule: rows(modules), allModules: rows(modules, Infinity), byFunction: rows(functions), alertcronInclusive: rows(inclusive) };
}

/** The part of a run an owner (alertcron file or npm package) belongs to. */
export function areaOf(owner: string): string {
  const src = /^alertcron src\/(.*)$/.exec(owner)?.[1];
  const npm = /^npm (.*)$/.exec(owner)?.[1];
  if (src) {
    if (src.startsWith('config/')) return 'alertcron: loading alertcron.yaml, alerts and queries';
    if (src.startsWith('sources/') || src === 'run/buildSearch.ts') return 'alertcron: building and sending the searches, reading the answers';
    if (src.startsWith('conditions/') || src.startsWith('policy/') || /^run\/(applyFindings|render|plan)\.ts$/.test(src)) return 'alertcron: conditions, decisions, rendering';
    if (src.startsWith('state/') || /^run\/(audit|recordDeliveries)\.ts$/.test(src)) return 'alertcron: state and audit log';
    if (src.startsWith('notify/')) return 'alertcron: delivery';
    return 'alertcron: CLI and run pipeline (cli, commands, runAlerts, report, util)';
  }
  if (npm) {
    if (['yaml', 'ajv', 'fast-deep-equal', 'json-schema-traverse', 'fast-uri', 'require-from-string'].includes(npm)) return 'alertcron: loading alertcron.yaml, alerts and queries';
    if (npm === 'undici') return 'alertcron: building and sending the searches, reading the answers';
    if (['proper-lockfile', 'graceful-fs', 'retry', 'signal-exit'].includes(npm)) return 'alertcron: state and audit log';
    if (['nodemailer', '@slack/webhook', 'p-retry', 'p-queue', 'p-finally', 'p-timeout', 'eventemitter3', 'is-stream', 'is-network-error', 'axios', 'form-data', 'follow-redirects', 'proxy-from-env', 'mime-types', 'mime-db', 'asynckit', 'combined-stream', 'delayed-stream'].includes(npm)) return 'alertcron: delivery';
    if (npm === 'commander') return 'alertcron: CLI and run pipeline (cli, commands, runAlerts, report, util)';
    return `npm ${npm}`;
  }
  if (owner === 'alertcron bin/alertcron.js') return 'alertcron: CLI and run pipeline (cli, commands, runAlerts, report, util)';
  return owner;
}
