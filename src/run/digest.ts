import type { AlertBase } from '../model/alert.js';
import type { AuditEntry } from '../model/audit.js';
import type { DigestTable } from '../model/digest.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import { enqueue } from '../outbox/enqueue.js';
import { digestKey, digestTable, dueBuckets, DIGEST_KEYS_KEPT } from '../policy/digest.js';
import { digestText, digestTitle } from '../render/digestText.js';
import { redact } from '../util/redact.js';
import { sigmaAttribution, withAttribution } from '../sigma/meta.js';

/** What the digest stage produced: the digest notices to queue and their audit lines. */
export interface DigestStageResult {
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
}

/**
 * Turns every open digest whose period is over into one notice per digest channel (key `_digest[:<per value>]`,
 * reason `digest`, the summary table in `digest`, the period in `window`), for every given alert whether it was
 * due, found nothing or failed this run. The buckets leave the state in the same change that returns their notices,
 * so one commit holds both: a kill loses no row and sends no digest twice. An alert whose `digest:` was removed
 * still sends what it had collected, on its notify channels.
 */
export function digestStage(alerts: readonly AlertBase[], data: StateData, now: number): DigestStageResult {
  const result: DigestStageResult = { deliveries: [], audit: [] };
  for (const alert of alerts) {
    const state = data.alerts[alert.name];
    if (!state?.digests?.length) continue;
    const { due, open } = dueBuckets(state.digests, now);
    if (!due.length) continue;
    if (open.length) state.digests = open;
    else delete state.digests;
    const channels = alert.digest?.channels ?? alert.notify;
    for (const bucket of due.sort((a, b) => a.due - b.due)) {
      // Cells come from log data, which may hold a secret alertcron knows: blanked, as in an ordinary notice.
      const made = redactedTable(digestTable(bucket));
      const table = alert.sigma ? { ...made, attribution: redact(sigmaAttribution(alert.sigma)) } : made;
      const key = redact(digestKey(bucket.group));
      const title = redact(digestTitle(alert.name, table, bucket.keys.length, bucket.keysMore === true || bucket.keys.length > DIGEST_KEYS_KEPT));
      const spec = { alert: alert.name, key, reason: 'digest', title, message: redact(withAttribution(digestText(table), alert.sigma)), window: { from: table.from, to: table.to }, digest: table };
      result.deliveries.push(...enqueue(spec, channels, now));
      result.audit.push({ event: 'digest', alert: alert.name, key, findings: table.findings, rows: table.rows.length, omitted: table.omitted, from: new Date(table.from).toISOString(), to: new Date(table.to).toISOString() });
    }
  }
  return result;
}

/** A digest's table with every registered secret blanked in its per value, headings and cells. */
function redactedTable(table: DigestTable): DigestTable {
  const group = table.group !== undefined ? { group: redact(table.group) } : {};
  return { ...table, ...group, columns: table.columns.map(redact), rows: table.rows.map((row) => ({ ...row, cells: row.cells.map(redact) })) };
}

/**
 * Drops the due digests of disabled alerts, as their queued notices are dropped (audited as muted): a digest
 * collected before an alert was disabled is not sent when it is enabled again weeks later.
 */
export function dropDisabledDigests(disabled: readonly string[], data: StateData, now: number): AuditEntry[] {
  const audit: AuditEntry[] = [];
  for (const name of disabled) {
    const state = data.alerts[name];
    if (!state?.digests?.length) continue;
    const { due, open } = dueBuckets(state.digests, now);
    if (!due.length) continue;
    if (open.length) state.digests = open;
    else delete state.digests;
    for (const bucket of due) audit.push({ event: 'muted', alert: name, key: redact(digestKey(bucket.group)), reason: 'digest', why: 'alert disabled', when: 'queued', findings: bucket.findings });
  }
  return audit;
}
