import type { StateConfig } from '../model/config.js';
import type { StateData } from '../model/state.js';
import type { DeliveredEntry } from './delivered.js';

/** The state taken by one run or command: read under the store's lock, written back with commit(). */
export interface StateTransaction {
  data: StateData;
  /** A warning to show, e.g. that a corrupt state was moved aside. */
  warning?: string;
  /** Grows with every begin(): a holder whose token is older than the store's may no longer write. */
  fencingToken: number;
  /** Writes the state durably if it changed since it was read or last committed; refused once the lock is lost. */
  commit(): Promise<void>;
  /** Records at once, durably and cheaply, that a delivery was accepted (before the next commit writes it into the state). */
  journal(entry: DeliveredEntry): void;
  /** Releases the lock; the transaction is unusable afterwards. */
  release(): Promise<void>;
}

/** Where the state lives: one implementation per backend (a file today; the cluster next). */
export interface StateStore {
  /** Takes the lock (waiting up to lock_wait; a lockHeld error after that) and reads the state. */
  begin(): Promise<StateTransaction>;
  /** Reads the state without the lock and without changing anything, for commands that only look. */
  peek(): Promise<{ data: StateData; warning?: string }>;
}

/** The store configured in alertcron.yaml's state: section. */
export async function openStore(config: StateConfig): Promise<StateStore> {
  const { FileStateStore } = await import('./fileStore.js');
  return new FileStateStore(config.file, config.lock_wait);
}

/** Takes the state, lets `change` modify it, commits and releases: for commands like silence and ack. */
export async function changeState<T>(store: StateStore, change: (data: StateData) => T | Promise<T>): Promise<T> {
  const tx = await store.begin();
  try {
    const result = await change(tx.data);
    await tx.commit();
    return result;
  } finally {
    await tx.release();
  }
}
