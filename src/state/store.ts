import { ExitCode, UserError } from '../util/errors.js';
import type { StateConfig } from '../model/config.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import type { DeliveredEntry } from './delivered.js';
import type { ClusterConnection } from './cluster/client.js';
import type { HostRecord, LeaseRecord, Ownership } from '../model/partition.js';

/** The state taken by one run or command: read under the store's lock, written back with commit(). */
export interface StateTransaction {
  data: StateData;
  /** A warning to show, e.g. that a corrupt state was moved aside. */
  warning?: string;
  /**
   * Set when the shared store could not be reached: `data` then holds only this host's local slices (LOCAL_SLICES)
   * and pending notices about alertcron itself, and commit() writes only those. The run evaluates no alert.
   */
  unavailable?: string;
  /**
   * With the partitioned cluster store: the partitions (and the coordinator's lease) this transaction holds. `data`
   * then holds only those partitions' alerts, pending notices and receipts (the coordinator: every receipt), and
   * commit() writes only what it holds (see model/partition.ts). Absent: the transaction holds everything.
   */
  ownership?: Ownership;
  /** With the partitioned cluster store, a run's transaction: the hosts' heartbeats and the leases as begin() read them (the coordinator watches the hosts with them). */
  cluster?: { hosts: HostRecord[]; leases: LeaseRecord[] };
  /** Grows with every begin() within one boot (not across a power loss): a holder whose token is older than the store's may no longer write. */
  fencingToken: number;
  /** Writes the state durably if it changed since it was read or last committed; refused once the lock is lost. */
  commit(): Promise<void>;
  /**
   * Records at once, cheaply, that a delivery was accepted (before the next commit writes it into the state); resolves
   * once it is durable (synced with the other entries of its batch), rejects if it could not be made so.
   */
  journal(entry: DeliveredEntry): Promise<void>;
  /**
   * Claims the pending items this run is about to send and returns those it may send: a shared store lets only one
   * holder send each (the others are being sent, or were sent, elsewhere). Absent: every item is this run's.
   */
  claim?(items: PendingDelivery[], now: number): Promise<PendingDelivery[]>;
  /**
   * Why the shared store failed during this transaction (a request's connection dropped, timed out, or was refused
   * cluster-wide), if it did: the run then reports it as unavailable (exit 3), and commit() writes only this host's
   * local file. Absent: a store that cannot fail that way.
   */
  failed?(): string | undefined;
  /** How many requests, write requests and documents written the store made so far (a file: rewrites and journal batches synced). */
  stats?(): { requests: number; writes: number; docs?: number };
  /** Gives a shared lease back early, keeping this host's lock (so that a failure to do so can still be committed locally); release() does it otherwise. */
  unlease?(): Promise<void>;
  /** Releases the lock; the transaction is unusable afterwards. */
  release(): Promise<void>;
}

/** Where the state lives: one implementation per backend (a file, or an index of the cluster). */
export interface StateStore {
  /**
   * Takes the lock (waiting up to lock_wait; a lockHeld error after that) and reads the state. `command`: a shell
   * command's transaction (silence, ack ...), which with the partitioned cluster store takes no partition and
   * writes only silences, queued operations (data.ops) and this host's local slices.
   */
  begin(purpose?: RunPurpose): Promise<StateTransaction>;
  /** Reads the state without the lock and without changing anything, for commands that only look (with the cluster store: its hosts and leases too). */
  peek(): Promise<{ data: StateData; warning?: string; cluster?: { hosts: HostRecord[]; leases: LeaseRecord[] } }>;
}

/** The store configured in alertcron.yaml's state: section (the cluster backend uses the elasticsearch: connection; a run passes its deadline, which bounds the wait for the lease). */
export async function openStore(config: StateConfig, cluster?: ClusterConnection, options: { deadlineAt?: number } = {}): Promise<StateStore> {
  if (config.backend === 'cluster') {
    if (!cluster) throw new Error('state.backend: cluster needs the elasticsearch: section');
    const { ClusterStateStore } = await import('./clusterStore.js');
    return new ClusterStateStore(config, cluster, options);
  }
  const { FileStateStore } = await import('./fileStore.js');
  return new FileStateStore(config.file, config.lock_wait, config.audit_log);
}

/** Takes the state, lets `change` modify it (knowing what the transaction holds), commits and releases: for commands like silence and ack. */
export async function changeState<T>(store: StateStore, change: (data: StateData, tx: StateTransaction) => T | Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tx = await store.begin('command');
    try {
      if (tx.unavailable) throw new StoreUnavailableError(tx.unavailable);
      const result = await change(tx.data, tx);
      await tx.commit();
      return result;
    } catch (error) {
      // A silence another host changed meanwhile (expired it, with its sequence number): once more, on what it wrote.
      if (attempt > 1 || !(error instanceof StateConflictError) || !error.ids.every((id) => id.startsWith('silence:'))) throw error;
    } finally {
      await tx.release();
    }
  }
}

/** Another run or command changed state documents this transaction read, meanwhile: its changes to them were refused. */
export class StateConflictError extends UserError {
  constructor(readonly ids: string[]) {
    super(`another run changed ${ids.length} state documents meanwhile (first ${ids[0]}); this run's changes to them were refused`, ExitCode.lockHeld);
    this.name = 'StateConflictError';
  }
}

/**
 * The state was moved to the other backend (`state migrate`) while this run or command waited for it: it must not
 * start from an empty state where the old copy was. A run reads alertcron.yaml again and goes on with the new
 * backend; another command stops with this message (run it again).
 */
export class StateMovedError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.lockHeld);
    this.name = 'StateMovedError';
  }
}

/** The name the file backend's state.json is given once `state migrate --to cluster` moved the state: the marker a run that waited for the lock finds. */
export function movedToClusterMarker(file: string): string {
  return `${file}.moved-to-cluster`;
}

/** The shared store cannot be reached (or refused the request for reasons not its data's): the run fails safe. */
export class StoreUnavailableError extends UserError {
  constructor(message: string) {
    super(`the state cluster cannot be used: ${message}`, ExitCode.sourceFailed);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Why a transaction is begun: a full run (cron's: it writes the heartbeat that makes a host live), a partial run
 * (`run --only`, `test --send`: it joins no fleet and takes only leases its live host already owns), a shell command.
 */
export type RunPurpose = 'run' | 'partial' | 'command';

/** Whether a transaction was begun for a shell command (begin('command')): it takes no partition and writes only what commands may (spelled as a list look-up: `command` is also a channel kind's name). */
export function isCommandPurpose(purpose: string | undefined): boolean {
  return ['command'].includes(purpose ?? '');
}
