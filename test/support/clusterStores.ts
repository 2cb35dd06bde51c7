import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { StateConfig } from '../../src/model/config.js';
import { ClusterStateStore } from '../../src/state/clusterStore.js';
import { testEsUrl } from './world.js';

/** The settings of one test host's store: lease and clock, and `migrate` for the store `state migrate` opens. */
export interface TestStoreOptions {
  lease?: number;
  skew?: number;
  lockWait?: number;
  leaseTtl?: number;
  migrate?: boolean;
  /** Each request's timeout (ms; default 5 s). */
  requestTimeout?: number;
}

/**
 * In-process cluster state stores against the test engine: fresh state indices named `alertcron-state-<prefix>-...` and
 * one host's store on one (its own local file, i.e. its own deployment); indices and folders go after the file's tests.
 */
export function clusterStores(prefix: string): { esUrl: string; freshIndex(): string; store(id: string, index: string, options?: TestStoreOptions): ClusterStateStore } {
  const esUrl = testEsUrl();
  const indices: string[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const index of indices) await fetch(`${esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    esUrl,
    freshIndex() {
      const index = `alertcron-state-${prefix}-${Math.random().toString(36).slice(2, 8)}`;
      indices.push(index);
      return index;
    },
    store(id, index, options = {}) {
      const dir = mkdtempSync(join(tmpdir(), `alertcron-${prefix}-`));
      dirs.push(dir);
      const config = {
        backend: 'cluster', file: join(dir, 'state.json'), index, local_file: join(dir, 'local.json'), host_id: id, lease_ttl: options.leaseTtl ?? 30_000,
        partition_lease: options.lease ?? 30_000, host_ttl: 90_000, max_clock_skew: options.skew ?? 1_000, lock_wait: options.lockWait ?? 2_000,
        prune_after: 7 * 86_400_000, audit_log: join(dir, 'audit.log'), audit_max_size: 1e6, audit_keep: 1,
      } as StateConfig;
      return new ClusterStateStore(config, { url: esUrl, timeout: options.requestTimeout ?? 5_000 }, options.migrate ? { takeOverMoved: true } : {});
    },
  };
}
