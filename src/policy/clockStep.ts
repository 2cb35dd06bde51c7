import type { KeyState, StateData } from '../model/state.js';
import { holdsAlert, type Ownership } from '../model/partition.js';
import { isFiring } from './decide.js';
import { receiptsAfter } from '../state/receipts.js';

/** How far ahead of the run's clock a stored time may be and still be taken as written by a clock that was right. */
const CLOCK_SLACK_MS = 5_000;

/**
 * The one rule for stored times after the clock went back (or a jump forward was corrected): a time later than
 * now plus the allowed skew was written by a clock that was ahead, and is moved back by `by` (the size of the step,
 * where known) and at least to just before this run, so it can hold nothing back (a throttle runs from when the
 * key was really told, a resolution is not taken for one still to come). Returns the re-based time, or undefined
 * when `time` may stand.
 */
function rebased(time: number | undefined, now: number, tolerance: number, by = 0): number | undefined {
  return isAhead(time, now, tolerance) ? Math.min(time! - by, now - 1) : undefined;
}

/** Whether a stored time was written by a clock ahead of this run's: later than now plus the allowed skew. */
export function isAhead(time: number | undefined, now: number, tolerance = 0): boolean {
  return time !== undefined && time > now + Math.max(CLOCK_SLACK_MS, tolerance);
}

/**
 * Re-bases a key's times that lie ahead of the clock (see `rebased`; `by` is how far the clock of its alert went
 * back), a channel's kept receipt (`opened`) with its stamp, keeping whether it is firing: a key notified after its last resolution stays notified, one resolved after
 * its last notice stays resolved. Returns whether anything changed.
 */
export function rebaseKey(key: KeyState, now: number, tolerance = 0, by = 0): boolean {
  const firing = isFiring(key);
  let changed = false;
  const move = (at: number | undefined): number | undefined => {
    const value = rebased(at, now, tolerance, by);
    changed ||= value !== undefined;
    return value ?? at;
  };
  key.firstSeen = move(key.firstSeen)!;
  key.lastSeen = move(key.lastSeen)!;
  if (key.lastFired !== undefined) key.lastFired = move(key.lastFired);
  if (key.firingSince !== undefined) key.firingSince = move(key.firingSince);
  if (key.resolvedAt !== undefined) key.resolvedAt = move(key.resolvedAt);
  for (const [channel, at] of Object.entries(key.delivered)) {
    key.delivered[channel] = move(at)!;
    // The kept receipt of the channel's latest notice moves with its stamp, so that it still decides (see keptReceipt).
    const opened = key.opened !== undefined && Object.hasOwn(key.opened, channel) ? key.opened[channel] : undefined;
    if (opened && typeof opened === 'object' && opened.at === at) opened.at = key.delivered[channel]!;
  }
  if (key.acknowledged) key.acknowledged.at = move(key.acknowledged.at)!;
  if (key.handled) key.handled.at = move(key.handled.at)!;
  // A firing key that flipped is resolved again just before its episode began, so its episode start stays its own.
  if (changed && firing !== isFiring(key)) key.resolvedAt = firing ? Math.min(key.firingSince ?? key.lastFired!, key.lastFired!) - 1 : key.lastFired;
  if (changed) keepEpisode(key);
  return changed;
}

/** Keeps a key's episode start within its episode after a step: never after its last notice. */
function keepEpisode(key: KeyState): void {
  if (key.firingSince === undefined || key.lastFired === undefined) return;
  key.firingSince = Math.min(key.firingSince, key.lastFired);
}

/**
 * Re-bases the stored times of the state's records that lie ahead of the clock (see `rebased`): silences, queued
 * notices, sent receipts, conversations, open digests, login tokens, chat actions done, sources' health and the last run. A
 * record that also holds a time meant for the future (a silence's end, a retry's not-before, a question's
 * deadline, a token's expiry, a digest's end and due time) moves it back by as much as its start, so it keeps its length. Alerts' windows
 * are the planner's (run/plan.ts) and keys are re-based when their alert is decided (rebaseKey). Returns how
 * many times were moved. With an ownership (hosts sharing the cluster state), only the records its transaction may
 * write: the notices, receipts and digests of its partitions, the shared records (silences, conversations, chat
 * actions done) on the coordinator.
 */
export function rebaseRecords(data: StateData, now: number, tolerance = 0, ownership?: Ownership): number {
  let moved = 0;
  const held = (item: { alert: string }) => holdsAlert(ownership, item.alert);
  const coordinator = !ownership || ownership.coordinator;
  /** Re-bases `start`; returns how far it moved back (0 when it may stand). */
  const back = (start: number | undefined): number => {
    const value = rebased(start, now, tolerance);
    if (value === undefined) return 0;
    moved++;
    return start! - value;
  };
  for (const silence of coordinator ? data.silences : []) {
    const by = back(silence.createdAt);
    silence.createdAt -= by;
    silence.endsAt -= by;
  }
  for (const item of data.pending.filter(held)) {
    const by = back(item.createdAt);
    item.createdAt -= by;
    if (item.notBefore !== undefined) item.notBefore -= by;
  }
  // Receipts only if some could be ahead (with a receipt log: read only when the latest is).
  for (const notice of receiptsAfter(data, now).filter(held)) notice.at -= back(notice.at);
  for (const c of coordinator ? data.conversations ?? [] : []) {
    const by = back(c.createdAt);
    c.createdAt -= by;
    c.deadline -= by;
    if (c.askedAt !== undefined) c.askedAt -= back(c.askedAt);
    if (c.closedAt !== undefined) c.closedAt -= back(c.closedAt);
    if (c.twoFactor?.pushedAt !== undefined) c.twoFactor.pushedAt -= back(c.twoFactor.pushedAt);
    if (c.answer) c.answer.at -= back(c.answer.at);
    for (const step of c.history) step.at -= back(step.at);
  }
  for (const token of Object.values(data.tokens ?? {})) {
    const by = back(token.obtainedAt);
    token.obtainedAt -= by;
    token.expiresAt -= by;
  }
  for (const [name, alert] of Object.entries(data.alerts)) {
    if (!holdsAlert(ownership, name)) continue;
    for (const bucket of alert.digests ?? []) {
      // A bucket opened by a clock that was ahead moves as a whole (its period and due keep their length); a row
      // written ahead by a clock that jumped after the bucket opened moves on its own.
      const by = back(bucket.from);
      bucket.from -= by;
      bucket.to -= by;
      bucket.due -= by;
      for (const row of bucket.rows) {
        row.first -= by;
        row.last -= by;
        const late = back(row.last);
        row.last -= late;
        row.first = Math.min(row.first, row.last);
      }
    }
  }
  if (coordinator) for (const [id, at] of Object.entries(data.chatDone ?? {})) data.chatDone![id] = at - back(at);
  for (const health of Object.values(data.sources)) if (health.since !== undefined) health.since -= back(health.since);
  if (data.lastRun) {
    data.lastRun.startedAt -= back(data.lastRun.startedAt);
    data.lastRun.finishedAt -= back(data.lastRun.finishedAt);
    if (data.lastRun.lastSuccessAt !== undefined) data.lastRun.lastSuccessAt -= back(data.lastRun.lastSuccessAt);
  }
  return moved;
}
