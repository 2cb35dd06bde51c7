// Two deployments (host-a, host-b) sharing one cluster state index, for the tests of chat and operations across
// hosts: which host holds which alert and the coordinator's lease when both are live, and a minute of both runs.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { assignLeases, COORDINATOR, partitionOf } from '../../src/model/partition.js';
import type { CliResult, Project } from './project.js';
import { iso, type World } from './world.js';

const MIN = 60_000;
/** The two hosts' ids. */
export const HOSTS = ['host-a', 'host-b'] as const;
const OWNERS = assignLeases([...HOSTS]);

/** Which host holds the coordinator's lease (chat inboxes, conversations) while both are live, and which does not. */
export function hostRoles(): { coordinator: string; other: string } {
  const coordinator = OWNERS.get(COORDINATOR)!;
  return { coordinator, other: HOSTS.find((h) => h !== coordinator)! };
}

/** An alert name (`<prefix>-<n>`) whose partition `host` holds while both hosts are live. */
export function alertHeldBy(host: string, prefix: string): string {
  for (let i = 0; ; i++) if (OWNERS.get(String(partitionOf(`${prefix}-${i}`))) === host) return `${prefix}-${i}`;
}

/** One deployment of the pair. */
export interface HostDeployment {
  host: string;
  p: Project;
  /** `alertcron run --json` at minute `minute` after T; exit 0 expected (stderr in the failure). */
  run(minute: number): Promise<CliResult>;
  /** Any command at minute `minute` after T. */
  cli(args: string[], minute: number): Promise<CliResult>;
}

/** What hostPair builds: the deployments by host, the shared state index, a minute of runs, and the state's documents. */
export interface HostPair {
  shared: string;
  hosts: Map<string, HostDeployment>;
  of(host: string): HostDeployment;
  /** Runs the hosts (both unless told) at one minute, at the same time, each exit 0. */
  minute(minute: number, hosts?: readonly string[]): Promise<CliResult[]>;
  /** The audit lines of both hosts. */
  audit(): Record<string, unknown>[];
  /** The documents of the state index (after a refresh), by id. */
  docs(): Promise<Map<string, { _source: any }>>;
}

/** Registers the clean-up of the state indices and returns a builder of host pairs over `world`. */
export function useHostPairs(world: World): (options: PairOptions) => Promise<HostPair> {
  const indices: string[] = [];
  after(async () => {
    for (const index of indices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
  });
  return async (options) => {
    const shared = `alertcron-state-hosts-${Math.random().toString(36).slice(2, 8)}`;
    indices.push(shared);
    return hostPair(world, shared, options);
  };
}

/** How the pair differs: its base time, each host's alertcron.yaml (without state:), its environment, and the alerts (the same on both). */
export interface PairOptions {
  T: number;
  config(host: string): Record<string, unknown>;
  env?: Record<string, string>;
  alerts: Record<string, Record<string, unknown>>;
  /** More state: settings (short leases by default: partition_lease 4s, host_ttl 15s, max_clock_skew 1s). */
  state?: Record<string, unknown>;
}

async function hostPair(world: World, shared: string, options: PairOptions): Promise<HostPair> {
  const hosts = new Map<string, HostDeployment>();
  for (const host of HOSTS) {
    const p = world.project();
    const config = options.config(host);
    p.writeConfig({
      ...config,
      run: { deadline: '10s', ...(config.run as object | undefined) },
      state: { backend: 'cluster', index: shared, host_id: host, partition_lease: '4s', host_ttl: '15s', max_clock_skew: '1s', lock_wait: '4s', lease_ttl: '12s', ...options.state },
    });
    Object.assign(p.env, options.env);
    for (const [name, alert] of Object.entries(options.alerts)) p.writeAlert(name, alert);
    const cli = (args: string[], minute: number) => p.run(args, { ALERTCRON_NOW: iso(options.T + minute * MIN) });
    const run = async (minute: number) => {
      const result = await cli(['run', '--json'], minute);
      assert.equal(result.code, 0, `${host} at minute ${minute}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /internal error|TypeError/i);
      return result;
    };
    hosts.set(host, { host, p, run, cli });
  }
  const of = (host: string) => hosts.get(host)!;
  return {
    shared,
    hosts,
    of,
    minute: (minute, which = HOSTS) => Promise.all(which.map((h) => of(h).run(minute))),
    audit: () => [...hosts.values()].flatMap((d) => d.p.audit()),
    docs: async () => {
      await fetch(`${world.esUrl}/${shared}/_refresh`, { method: 'POST' });
      const answer = (await (await fetch(`${world.esUrl}/${shared}/_search?size=2000`)).json()) as { hits: { hits: { _id: string; _source: any }[] } };
      return new Map(answer.hits.hits.map((h) => [h._id, h]));
    },
  };
}

/** The keys of an alert as the shared state keeps them (its alert: document). */
export async function keysOf(pair: HostPair, alert: string): Promise<Record<string, any>> {
  return (await pair.docs()).get(`alert:${alert}`)?._source.body?.keys ?? {};
}
