import { withReceipts } from '../state/receipts.js';
import { receiptFolder } from '../state/receiptLog.js';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StateData } from '../model/state.js';
import type { ClusterConnection } from '../state/cluster/client.js';
import { movedToClusterMarker, openStore } from '../state/store.js';
import { withoutPrototypes } from '../state/plainState.js';
import { ExitCode, UserError } from '../util/errors.js';
import { openProject } from './project.js';
import { MOVED_PREFIX } from '../state/cluster/lease.js';
import { setYamlValue } from '../util/yamlEdit.js';
import { syncFolder, writeFileDurably } from '../util/durableFile.js';
import { startProgress } from '../util/progress.js';

/** Options of `alertcron state migrate`. */
export interface StateMigrateOptions {
  config: string;
  to: string;
}

/**
 * `alertcron state migrate --to cluster|file`: takes the state of the configured backend under its lock (and the
 * target's), keeps a backup of it, writes it to the other backend, reads it back and compares, and only then
 * sets `state.backend` in alertcron.yaml. The old copy is retired so that a host still configured for it
 * cannot run on stale state: the file is moved to the backup, the cluster's lease is held for ever by a marker.
 */
export async function stateMigrateCommand(options: StateMigrateOptions): Promise<number> {
  if (options.to !== 'cluster' && options.to !== 'file') throw new UserError(`--to takes cluster or file, not "${options.to}"`, ExitCode.usage);
  const to = options.to;
  const { config } = await openProject(options.config, { offline: true });
  const from = config.state.backend;
  if (from === to) throw new UserError(`the state is already on the ${to} backend (state.backend in ${config.file})`, ExitCode.usage);
  const cluster = config.sources.elasticsearch as ClusterConnection | undefined;
  if (!cluster) throw new UserError(`the cluster backend keeps the state in the elasticsearch: cluster, and ${config.file} has no elasticsearch: section`, ExitCode.invalidConfig);
  // The edit of alertcron.yaml is made (not yet written) before anything moves: one that cannot be made stops here,
  // never after the old copy is retired with the old backend still in the file.
  const configText = readFileSync(config.file, 'utf8');
  const edited = withBackend(config.file, configText, to);
  const open = async (backend: 'file' | 'cluster') => {
    if (backend === 'file') {
      const { FileStateStore } = await import('../state/fileStore.js');
      // As the target, an earlier move's marker is no reason to stop: this is the move back.
      return from === 'file' ? openStore({ ...config.state, backend }, cluster) : new FileStateStore(config.state.file, config.state.lock_wait, config.state.audit_log, true);
    }
    const { ClusterStateStore } = await import('../state/clusterStore.js');
    return new ClusterStateStore({ ...config.state, backend }, cluster, { takeOverMoved: true });
  };
  const source = await open(from);
  const target = await open(to);
  const progress = startProgress();
  progress.phase(`state migrate: reading the state on the ${from} backend`);
  const sourceTx = await source.begin().catch((error: unknown) => {
    progress.end();
    throw error;
  });
  try {
    const targetTx = await target.begin();
    try {
      for (const tx of [sourceTx, targetTx]) if (tx.unavailable) throw new UserError(`the state cluster cannot be used: ${tx.unavailable}; nothing was moved`, ExitCode.sourceFailed);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const backup = join(dirname(config.state.file), `state-backup-${from}-${stamp}.json`);
      mkdirSync(dirname(backup), { recursive: true });
      // The receipts too, wherever the backend keeps them (the file backend: in their log, read here).
      const whole = withReceipts(sourceTx.data);
      writeFileDurably(backup, JSON.stringify(whole, null, 1));
      // A JSON copy: the file store's keys are read through a proxy, which structuredClone cannot copy.
      const moved = JSON.parse(JSON.stringify(whole)) as typeof sourceTx.data;
      withoutPrototypes(moved);
      for (const key of Object.keys(targetTx.data)) delete (targetTx.data as unknown as Record<string, unknown>)[key];
      Object.assign(targetTx.data, moved);
      progress.phase(`state migrate: writing ${Object.keys(moved.alerts).length} alerts to the ${to} backend`);
      await targetTx.commit();
      progress.phase(`state migrate: reading the ${to} backend's copy back to compare`);
      const seen = await target.peek();
      const difference = firstDifference(canonical(moved), canonical(withReceipts(seen.data)));
      if (difference) throw new UserError(`the state read back from the ${to} backend differs from what was written (${difference}); state.backend is unchanged, the backup is ${backup}`, ExitCode.internal);
      // The switch first (one atomic rename), then the old copy is retired: a failure in between leaves this host on
      // the verified new copy, never on a retired or missing one (a state file gone would start from nothing).
      if (from === 'file' && existsSync(config.state.file)) writeFileDurably(`${backup.slice(0, -5)}.file.json`, readFileSync(config.state.file));
      if (from === 'cluster') {
        // Other hosts are stopped before this one switches: none may run on the copy left behind.
        const { markMoved } = await import('../state/clusterStore.js');
        await markMoved(cluster, config.state.index, `${MOVED_PREFIX}${config.state.host_id}`);
      }
      await setBackend(config.file, configText, edited, to);
      // Renamed, not removed: the marker tells a run that waited for the lock, with the old configuration read, that
      // the state moved (it reads alertcron.yaml again) instead of letting it start from an empty state.
      if (from === 'file' && existsSync(config.state.file)) {
        renameSync(config.state.file, movedToClusterMarker(config.state.file));
        // Its receipt log goes with the backup: a later move back starts the file's log from what the cluster holds.
        if (existsSync(receiptFolder(config.state.file))) renameSync(receiptFolder(config.state.file), `${backup.slice(0, -5)}.receipts`);
        syncFolder(dirname(config.state.file));
      }
      // Back on the file: an earlier move's marker would stop a run that finds state.json missing for another reason.
      if (to === 'file') rmSync(movedToClusterMarker(config.state.file), { force: true });
      progress.end();
      const counts = `${Object.keys(moved.alerts).length} alerts, ${moved.pending.length} pending deliveries, ${moved.silences.length} silences`;
      console.log(`moved the state from the ${from} backend to the ${to} backend (${counts}), verified; backup: ${backup}; state.backend in ${config.file} is now ${to}`);
      if (to === 'file') console.log('other hosts that ran these alerts from the cluster now find its lease held by the move: stop their cron lines (or migrate them back)');
      else console.log('set up the other hosts with the same alertcron.yaml (each its own state.host_id) and the same crontab line: see docs/hosts.md');
      return ExitCode.ok;
    } finally {
      await targetTx.release();
    }
  } finally {
    progress.end();
    await sourceTx.release();
  }
}

/** The state as sorted JSON (lists by id), to compare two backends' copies. */
function canonical(data: StateData): unknown {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(sort);
      return items.every((i) => i && typeof i === 'object' && 'id' in (i as object)) ? [...items].sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id))) : items;
    }
    if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => [k, sort((value as Record<string, unknown>)[k])]));
    return value;
  };
  return sort(JSON.parse(JSON.stringify(data)));
}

function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  return `at ${path || 'the top'}`;
}

/** alertcron.yaml's text with state.backend set, keeping its comments and layout; a usage error where it cannot be set. */
function withBackend(file: string, text: string, backend: 'file' | 'cluster'): string {
  try {
    return setYamlValue(text, ['state', 'backend'], backend);
  } catch (error) {
    throw new UserError(`cannot set state.backend in ${file} (${error instanceof Error ? error.message : String(error)}); nothing was moved`, ExitCode.invalidConfig);
  }
}

/** Writes alertcron.yaml with state.backend set (the text made before the move, unless the file changed since), atomically. */
async function setBackend(file: string, before: string, edited: string, backend: 'file' | 'cluster'): Promise<void> {
  // Only the value changes in the text (comments and layout stay); written aside, synced and renamed over: a kill or
  // a crash mid-write never leaves a half alertcron.yaml.
  const now = readFileSync(file, 'utf8');
  writeFileDurably(file, now === before ? edited : withBackend(file, now, backend));
}
