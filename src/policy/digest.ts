import type { DigestPolicy } from '../model/alert.js';
import type { DigestTable } from '../model/digest.js';
import type { Finding } from '../model/finding.js';
import type { DigestBucket } from '../model/state.js';
import { getField } from '../util/fieldPath.js';
import { stringify } from '../util/template.js';
import { redact } from '../util/redact.js';
import { oneLine } from '../util/text.js';
import { digestDue } from './digestPeriod.js';

/** The key of a digest notice; a digest split by `per` adds `:<value>`. */
export const DIGEST_KEY = '_digest';
/** Longest cell (and `per` value) kept in the state, in UTF-16 units: a log value is shown, not stored whole. */
export const DIGEST_CELL_CHARS = 200;
/** Most distinct keys a bucket remembers for its title's count (beyond: "1000+ keys"). */
export const DIGEST_KEYS_KEPT = 1000;
/** Most open buckets per alert (periods × `per` values): beyond, a new value's findings go to the "(other values)" bucket. */
export const DIGEST_BUCKETS_KEPT = 500;

/** The key of the digest notice for one `per` value (none: the alert's one digest). */
export function digestKey(group: string | undefined): string {
  return group === undefined ? DIGEST_KEY : `${DIGEST_KEY}:${group}`;
}

/**
 * The values of `fields` in a finding (its fields, then its first sample; `key` is its key when no field has that
 * name), as one clean line each, with known secrets blanked before the cut (a cut cannot leave part of one): these
 * cells are stored in the state and shown in the digest.
 */
export function cellsOf(fields: readonly string[], finding: Finding): string[] {
  return fields.map((field) => {
    const value = getField(finding.fields, field) ?? getField(finding.samples[0], field) ?? (field === 'key' ? finding.key : undefined);
    return oneLine(redact(stringify(value)), DIGEST_CELL_CHARS);
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

/** The `per` value of the bucket that takes new values' findings once an alert holds DIGEST_BUCKETS_KEPT buckets or DIGEST_CHARS_KEPT characters. */
export const OTHER_VALUES = '(other values)';

/** Most characters (as JSON) an alert's open digests may take in the state: beyond, findings are counted, not listed. */
export const DIGEST_CHARS_KEPT = 2_000_000;

/** A short hash of a key (FNV-1a, 32 bits, base 36): a bucket counts distinct keys by these, never storing a key itself. */
export function keyHash(key: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

/** The characters each alert's open digests take as JSON, measured once per list and then kept up to date by collectFinding. */
const sizes = new WeakMap<DigestBucket[], number>();
/** Each bucket's key hashes as a set, built once per run: a lookup among 1,000 hashes costs no scan. */
const hashSets = new WeakMap<DigestBucket, Set<string>>();

/** The open bucket of `group` that a finding at `time` belongs to, or undefined when it opens one (see collectFinding). */
function bucketFor(buckets: readonly DigestBucket[], policy: DigestPolicy, group: string | undefined, time: number): DigestBucket | undefined {
  const mine = buckets.filter((b) => b.other !== true && b.group === group);
  const covering = mine.find((b) => b.from <= time && time < b.due);
  if (covering) return covering;
  // A schedule's period is fixed by the cron: its bucket is the one due at the same cron time (a late event too).
  if (policy.schedule !== undefined) {
    const due = digestDue(policy, time);
    return mine.find((b) => b.due === due);
  }
  // `every`: a late event joins the next open bucket when a period of its own would overlap that one.
  const later = mine.filter((b) => time < b.from).sort((a, b) => a.from - b.from)[0];
  return later && digestDue(policy, time) > later.from ? later : undefined;
}

/**
 * Adds a finding to the open digest of its `per` value and period in `buckets`. With `every`, a period starts at
 * its first finding and lasts `every`; a late event (by_match_time) joins the open bucket of its value when a
 * period of its own would overlap it. With `schedule`, a bucket is the one of its value due at the same cron time.
 * So two open buckets of one value never overlap. Everything stays bounded: a finding with the values of a row
 * adds to its count; one with new values makes a row while there are fewer than max_rows and the alert's buckets
 * take under DIGEST_CHARS_KEPT, and is only counted after that; distinct keys are counted by short hashes, at most
 * DIGEST_KEYS_KEPT; once the alert has DIGEST_BUCKETS_KEPT buckets (or no room), a new value's findings go to
 * the "(other values)" bucket.
 */
export function collectFinding(buckets: DigestBucket[], policy: DigestPolicy, finding: Finding, now: number): DigestBucket {
  const time = findingTime(policy, finding, now);
  const group = groupOf(policy.per, finding);
  let size = sizes.get(buckets) ?? JSON.stringify(buckets).length;
  const room = () => size < DIGEST_CHARS_KEPT;
  let bucket = bucketFor(buckets, policy, group, time);
  if (bucket && bucket.from > time) bucket.from = time;
  const open = (g: string | undefined, other: boolean): DigestBucket => {
    const due = digestDue(policy, time);
    const made: DigestBucket = { from: time, to: due, due, ...(g !== undefined ? { group: g } : {}), ...(other ? { other: true } : {}), columns: [...policy.fields], rows: [], findings: 0, omitted: 0, keys: [] };
    buckets.push(made);
    size += JSON.stringify(made).length + 1;
    return made;
  };
  if (!bucket && (buckets.length >= DIGEST_BUCKETS_KEPT || !room())) {
    // No room for a bucket of a new value: the findings of all such values share one (never another value's bucket).
    bucket = buckets.filter((b) => b.other === true && time < b.due).sort((a, b) => a.due - b.due)[0] ?? open(OTHER_VALUES, true);
    if (bucket.from > time) bucket.from = time;
  }
  bucket ??= open(group, false);
  bucket.findings++;
  const cells = cellsOf(bucket.columns, finding);
  const count = Math.max(1, Number.isFinite(finding.count) ? finding.count : 1);
  const row = bucket.rows.find((r) => r.cells.length === cells.length && r.cells.every((c, i) => c === cells[i]));
  if (row) {
    row.count += count;
    row.first = Math.min(row.first, time);
    row.last = Math.max(row.last, time);
  } else if (bucket.rows.length < policy.max_rows && room()) {
    const made = { cells, count, first: time, last: time };
    bucket.rows.push(made);
    size += JSON.stringify(made).length + 1;
  } else bucket.omitted++;
  let hashes = hashSets.get(bucket);
  if (!hashes) hashSets.set(bucket, (hashes = new Set(bucket.keys)));
  const hash = keyHash(finding.key);
  if (!hashes.has(hash)) {
    if (bucket.keys.length < DIGEST_KEYS_KEPT && room()) {
      bucket.keys.push(hash);
      hashes.add(hash);
      size += hash.length + 3;
    } else bucket.keysMore = true;
  }
  sizes.set(buckets, size);
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
