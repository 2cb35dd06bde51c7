import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOCAL_SLICES, type PendingDelivery, type StateData } from '../../model/state.js';
import { writeFileDurably } from '../../util/durableFile.js';

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

/** Writes the host's local file durably (temporary file, sync, rename, folder sync). */
export function writeLocal(file: string, local: LocalState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileDurably(file, JSON.stringify(local));
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

/**
 * This deployment's own id (made once, kept in `<local_file>.instance`): leases and claims name it beside
 * state.host_id, so that a run takes over what "its own host" left only when it really is that host, not another
 * machine given the same host_id by a copied alertcron.yaml. The caller holds the local lock.
 */
export function instanceId(file: string): string {
  const path = `${file}.instance`;
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{8}$/.test(id)) return id;
  } catch {
    // First run of this deployment: made below.
  }
  const id = randomUUID().slice(0, 8);
  mkdirSync(dirname(path), { recursive: true });
  writeFileDurably(path, `${id}\n`);
  return id;
}
