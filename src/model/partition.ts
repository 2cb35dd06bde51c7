import type { LastRun } from './state.js';

/**
 * How the alerts are shared out between hosts with the cluster state backend: a fixed number of partitions (an
 * alert belongs to one by a stable hash of its name), one lease per partition, and one more lease for the chores
 * of the whole deployment (the coordinator's: chat inboxes, conversations, shared pruning, watching the hosts).
 */
export const PARTITIONS = 64;

/** The name of the coordinator's lease (the partitions' leases are named by their number, "0" to "63"). */
export const COORDINATOR = 'coordinator';

/** FNV-1a (32 bits) of a string's UTF-8 bytes: the same number on every host and Node version. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser: spreads every input bit over the whole word. FNV-1a alone barely changes the
 * order of hashes of names that differ in one character (host-1, host-2 ...), so rendezvous scores of such hosts
 * were correlated and one host won most leases.
 */
function mix32(hash: number): number {
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** The partition an alert belongs to (0 to PARTITIONS - 1), from its name alone. */
export function partitionOf(alert: string): number {
  return fnv1a32(alert) % PARTITIONS;
}

/** Every lease of a deployment: the partitions' ("0" ... "63") and the coordinator's. */
export function leaseNames(): string[] {
  return [...Array.from({ length: PARTITIONS }, (_, p) => String(p)), COORDINATOR];
}

/**
 * Which live host each lease belongs to, by rendezvous (highest random weight) hashing: every host computes the
 * same answer from the same list of live hosts, and a host joining or leaving moves only its own share. Empty
 * when no host is live.
 */
export function assignLeases(liveHosts: readonly string[], names: readonly string[] = leaseNames()): Map<string, string> {
  const hosts = [...new Set(liveHosts)].sort();
  const owners = new Map<string, string>();
  if (!hosts.length) return owners;
  for (const name of names) {
    let best = hosts[0]!;
    let bestScore = -1;
    for (const host of hosts) {
      const score = mix32(fnv1a32(`${host}\n${name}`));
      if (score > bestScore) {
        best = host;
        bestScore = score;
      }
    }
    owners.set(name, best);
  }
  return owners;
}

/**
 * What one transaction of the partitioned cluster store holds: the partitions whose leases it took (their
 * alerts, windows, pending notices and receipts are this host's to read, evaluate, send and write) and whether
 * it holds the coordinator's lease. Absent on a transaction: it holds everything (the file backend).
 */
export interface Ownership {
  /** This host's state.host_id. */
  host: string;
  partitions: ReadonlySet<number>;
  coordinator: boolean;
  /** The partitions this run took from another host whose lease had run out (a takeover), with that holder. */
  took: { lease: string; from: string; grace?: true }[];
  /** The leases assigned to this host that it could not take this run (held by a live holder): for run --json. */
  skipped?: string[];
}

/** Whether a transaction with this ownership (or none: the file backend) holds an alert's partition. */
export function holdsAlert(ownership: Ownership | undefined, alert: string): boolean {
  return !ownership || ownership.partitions.has(partitionOf(alert));
}

/** A host as its heartbeat document `host:<host_id>` says it: written when each of its runs starts and ends. */
export interface HostRecord {
  id: string;
  /** `host_id@instance`: which deployment on which machine. */
  holder: string;
  /** When the host last started or finished a run (its own clock, epoch ms). */
  lastSeen: number;
  /** When this deployment first wrote its heartbeat. */
  startedAt: number;
  /** alertcron's version on that host. */
  version: string;
  /** Set by `alertcron host leave`: the others take its share at once; its next run clears it. */
  leaving?: boolean;
  /** Its last run: when, how it ended, how many alerts it evaluated, and which leases it held. */
  lastRun?: LastRun & { evaluated: number; partitions: number[]; coordinator: boolean };
  /** Its latest takeovers of leases whose holder's time had run out, newest last (at most 20). */
  takeovers?: { lease: string; from: string; at: number; grace?: true }[];
}

/** A lease as its document `part:<name>` says it (what `status` shows). */
export interface LeaseRecord {
  /** "0" ... "63", or COORDINATOR. */
  name: string;
  holder: string;
  /** The fencing token: raised by every new holder. */
  token: number;
  until: number;
  released: boolean;
  updatedAt: number;
}

/**
 * A change to an alert's keys asked for by someone who does not hold its partition (an `ack` from the shell, a
 * chat action read by the coordinator, a key promoted to a case): a create-only document `op:<id>` that the
 * holder of each partition concerned applies once at its next run.
 */
export interface AlertOp {
  id: string;
  /** `chat`: a change to a Telegram channel's allow-list made while delivering, for the coordinator (see `chat`). */
  op: 'ack' | 'handled' | 'chat';
  /** The alert, or `*` for every alert that has the key (a key handled elsewhere). */
  alert: string;
  key?: string;
  by: string;
  at: number;
  /** For `handled`: how it was dealt with (e.g. `promoted to case #12`). */
  how?: string;
  /** The partitions it was already applied in (the one of its creator's transaction, if it held it). */
  doneIn?: number[];
  /** For `chat` (alert is the channel's name): the change to apply once to the channel's chats in the meta document. */
  chat?: ChatChange;
}

/** A change a delivery made to a Telegram channel's chats on a host that may not write them: applied once by the coordinator. */
export interface ChatChange {
  /** `unreachable`: the allowed chat `id` leaves the allow-list; `moved`: chat `id` became the supergroup `to`. */
  change: 'unreachable' | 'moved';
  id: string;
  to?: string;
}

/** A finding of an ask alert handed from the host that evaluated it to the coordinator, which holds the conversations (document `ask:<alert>/<key>`). */
export interface QueuedAsk {
  id: string;
  alert: string;
  key: string;
  person: string | undefined;
  title: string;
  message: string;
  question: string;
  links: string[];
  at: number;
}
