import type { DigestPolicy } from '../model/alert.js';
import type { DigestTable } from '../model/digest.js';
import type { Finding } from '../model/finding.js';
import type { DigestBucket } from '../model/state.js';
import { getField } from '../util/fieldPath.js';
import { stringify } from '../util/template.js';
import { oneLine } from '../util/text.js';
import { digestDue } from './digestPeriod.js';

/** The key of a digest notice; a digest split by `per` adds `:<value>`. */
export const DIGEST_KEY = '_digest';
/** Longest cell (and `per` value) kept in the state, in UTF-16 units: a log value is shown, not stored whole. */
export const DIGEST_CELL_CHARS = 200;
/** Most distinct keys a bucket remembers for its title's count (beyond: "1000+ keys"). */
export const DIGEST_KEYS_KEPT = 1000;
/** Most open buckets per alert (periods × `per` values): beyond, a finding is counted in the oldest bucket, not listed. */
export const DIGEST_BUCKETS_KEPT = 500;

/** The key of the digest notice for one `per` value (none: the alert's one digest). */
export function digestKey(group: string | undefined): string {
  return group === undefined ? DIGEST_KEY : `${DIGEST_KEY}:${group}`;
}

/** The values of `fields` in a finding (its fields, then its first sample; `key` is its key when no field has that name), as one clean line each. */
export function cellsOf(fields: readonly string[], finding: Finding): string[] {
  return fields.map((field) => {
    const value = getField(finding.fields, field) ?? getField(finding.samples[0], field) ?? (field === 'key' ? finding.key : undefined);
    return oneLine(stringify(value), DIGEST_CELL_CHARS);
  });
}

/** The `per` value a finding's digest is for (its per fields' values joined by " / "), or undefined when the digest is not split. */
export function groupOf(per: readonly string[], finding: Finding): string | undefined {
  if (!per.length) return undefined;
  return oneLine(cellsOf(per, finding).join(' / '), DIGEST_CELL_CHARS);
}

/**
 * The time that places a finding in a period: the run's (`now`), or with by_match_time its event time (createdAt,
 * else the alert's timestamp field in its fields or first sample); a time that cannot be read is the run's.
 */
export function findingTime(policy: Pick<DigestPolicy, 'by_match_time'>, finding: Finding, now: number): number {
  if (!policy.by_match_time) return now;
  if (finding.createdAt !== undefined && Number.isFinite(finding.createdAt)) return finding.createdAt;
  const field = policy.by_match_time.field;
  const value = field === undefined ? undefined : (getField(finding.fields, field) ?? getField(finding.samples[0], field));
  const first = Array.isArray(value) ? value[0] : value;
  const time = typeof first === 'number' ? first : typeof first === 'string' ? Date.parse(first) : Number.NaN;
  return Number.isFinite(time) && time > 0 ? time : now;
}

/**
 * Adds a finding to the open digest of its `per` value and period in `buckets` (opening one if none covers its
 * time: a period starts at its first finding). The table stays bounded: a finding with the values of a row adds to
 * its count; one with new values makes a row while there are fewer than max_rows, and is only counted after that.
 */
export function collectFinding(buckets: DigestBucket[], policy: DigestPolicy, finding: Finding, now: number): DigestBucket {
  const time = findingTime(policy, finding, now);
  const group = groupOf(policy.per, finding);
  let bucket = buckets.find((b) => b.group === group && b.from <= time && time < b.due);
  if (!bucket && buckets.length >= DIGEST_BUCKETS_KEPT) {
    bucket = buckets.reduce((a, b) => (b.due < a.due ? b : a));
    bucket.findings++;
    bucket.omitted++;
    return bucket;
  }
  if (!bucket) {
    const due = digestDue(policy, time);
    bucket = { from: time, to: due, due, ...(group !== undefined ? { group } : {}), columns: [...policy.fields], rows: [], findings: 0, omitted: 0, keys: [] };
    buckets.push(bucket);
  }
  bucket.findings++;
  const cells = cellsOf(bucket.columns, finding);
  const count = Math.max(1, Number.isFinite(finding.count) ? finding.count : 1);
  const row = bucket.rows.find((r) => r.cells.length === cells.length && r.cells.every((c, i) => c === cells[i]));
  if (row) {
    row.count += count;
    row.last = Math.max(row.last, time);
  } else if (bucket.rows.length < policy.max_rows) bucket.rows.push({ cells, count, first: time, last: time });
  else bucket.omitted++;
  if (!bucket.keys.includes(finding.key)) {
    if (bucket.keys.length < DIGEST_KEYS_KEPT) bucket.keys.push(finding.key);
    else bucket.keysMore = true;
  }
  return bucket;
}

/** Splits an alert's open digests into those due at `now` (their period is over) and those still collecting. */
export function dueBuckets(buckets: readonly DigestBucket[], now: number): { due: DigestBucket[]; open: DigestBucket[] } {
  return { due: buckets.filter((b) => b.due <= now), open: buckets.filter((b) => b.due > now) };
}

/** The summary table a due bucket becomes: its rows most frequent first (ties: first collected first). */
export function digestTable(bucket: DigestBucket): DigestTable {
  const rows = [...bucket.rows].sort((a, b) => b.count - a.count || a.first - b.first);
  return { from: bucket.from, to: bucket.to, ...(bucket.group !== undefined ? { group: bucket.group } : {}), columns: [...bucket.columns], rows, findings: bucket.findings, omitted: bucket.omitted };
}
