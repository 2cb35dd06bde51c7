import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendFileDurably } from '../util/durableFile.js';
import { redact } from '../util/redact.js';
import { rotateIfFull } from './rotateLog.js';

import type { AuditEntry } from '../model/audit.js';

export type { AuditEntry } from '../model/audit.js';

/** When the audit log is rotated: past `maxBytes`, keeping `keep` old files. */
export interface AuditRotation {
  maxBytes: number;
  keep: number;
}

/** Collects audit entries for one run and appends them to the JSON-lines audit log, rotating it by size. */
export class AuditLog {
  private entries: string[] = [];

  constructor(
    private readonly file: string,
    private readonly runId: string,
    private readonly rotation: AuditRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 },
  ) {}

  /** Records one entry, stamped with the time and the run id. */
  add(entry: AuditEntry): void {
    this.entries.push(redact(JSON.stringify({ ts: new Date().toISOString(), run: this.runId, ...entry })));
  }

  /** Records several entries, each stamped like add(). */
  addAll(entries: readonly AuditEntry[]): void {
    for (const entry of entries) this.add(entry);
  }

  /** Appends what was recorded since the last flush, synced; one write per call. */
  flush(): void {
    if (!this.entries.length) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const text = this.entries.join('\n') + '\n';
    rotateIfFull(this.file, Buffer.byteLength(text), this.rotation.maxBytes, this.rotation.keep);
    appendFileDurably(this.file, text);
    this.entries = [];
  }
}
