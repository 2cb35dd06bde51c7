import { partitionOf, type Ownership } from '../../model/partition.js';
import { isCommandPurpose } from '../store.js';

/** A write a commit would make: to a document of this id and partition, creating, changing or deleting it. */
export interface IntendedWrite {
  id: string;
  partition?: number;
  change: 'create' | 'update' | 'delete';
}

/**
 * Whether a transaction may make this write (the writer of each kind, docs/hosts.md): alert documents
 * and the update or deletion of pending items, and sent receipts, only by the holder of their partition (sent
 * updates also by the coordinator); pending items, silences, queued operations and asks created by anyone;
 * operations and asks deleted, the meta document written, and documents read without a partition removed, by the coordinator (and a shell command, whose
 * writes of the meta document are checked by sequence number). `ownership` undefined: the transaction holds
 * everything (a state migration, the layout move). `lost`: partitions (and 'coordinator') whose lease is no longer
 * this transaction's: nothing of theirs is written.
 */
export function mayWrite(write: IntendedWrite, ownership: Ownership | undefined, purpose: 'run' | 'command', lost: ReadonlySet<string> = new Set()): boolean {
  if (!ownership) return true;
  const kind = write.id.slice(0, write.id.indexOf(':'));
  // A stale holder writes nothing of a partition it lost, not even a new pending item (its alert's window stays behind it).
  if (write.partition !== undefined && lost.has(String(write.partition))) return false;
  const coordinator = ownership.coordinator && !lost.has('coordinator');
  const holds = (p: number | undefined) => p !== undefined && ownership.partitions.has(p) && !lost.has(String(p));
  switch (kind) {
    case 'silence':
      return true;
    case 'meta':
      return coordinator || isCommandPurpose(purpose);
    case 'op':
    case 'ask':
      return write.change === 'create' || (write.change === 'delete' && coordinator);
    case 'alert':
      return holds(write.partition ?? partitionOf(write.id.slice('alert:'.length)));
    case 'pending':
      return write.change === 'create' || holds(write.partition) || (write.partition === undefined && coordinator);
    case 'sent':
      return holds(write.partition) || (write.change === 'update' && coordinator) || (write.partition === undefined && coordinator);
    default:
      return false;
  }
}
