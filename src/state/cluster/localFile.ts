import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOCAL_SLICES, type PendingDelivery, type StateData } from '../../model/state.js';

/** What one host keeps for itself beside the shared state: its local slices, and notices queued while the cluster was away. */
export interface LocalState {
  slices: Record<string, unknown>;
  /** Notices (about the cluster being down) queued while the shared store could not be reached. */
  pending: PendingDelivery[];
}

/** Reads the host's local file (empty when absent or unreadable: it only holds what can be rebuilt). */
export function readLocal(file: string): LocalState {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalState>;
    return { slices: parsed.slices && typeof parsed.slices === 'object' ? parsed.slices : {}, pending: Array.isArray(parsed.pending) ? parsed.pending : [] };
  } catch {
    return { slices: {}, pending: [] };
  }
}

/** Writes the host's local file atomically (temporary file, then rename). */
export function writeLocal(file: string, local: LocalState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(local));
  renameSync(temporary, file);
}

/** Copies the local slices into the state a run works on. */
export function withLocalSlices(data: StateData, local: LocalState): StateData {
  const target = data as unknown as Record<string, unknown>;
  for (const slice of LOCAL_SLICES) if (local.slices[slice] !== undefined) target[slice] = structuredClone(local.slices[slice]);
  return data;
}

/** The local slices of a state, to write to the local file. */
export function localSlicesOf(data: StateData): Record<string, unknown> {
  const source = data as unknown as Record<string, unknown>;
  return Object.fromEntries(LOCAL_SLICES.filter((slice) => source[slice] !== undefined).map((slice) => [slice, source[slice]]));
}
