import type { AlertBase } from '../model/alert.js';
import type { AuditEntry } from '../model/audit.js';
import type { Finding } from '../model/finding.js';
import type { AlertState, KeyState, PendingDelivery } from '../model/state.js';
import type { Window } from '../model/window.js';
import { enqueue, findingLabels } from '../outbox/enqueue.js';
import { offeredActions } from '../sources/chatActions.js';
import { decide, isFiring, type Decision } from '../policy/decide.js';
import { unloadedKeySummary } from '../state/keyHistory.js';
import { followedKeys } from '../state/keyTable.js';
import { dueTier, isHighRisk } from '../policy/escalate.js';
import { findSilence } from '../policy/silences.js';
import { resolveTargets, type ResolveSetting } from '../policy/resolveTargets.js';
import type { Silence } from '../model/state.js';
import type { Personalised } from '../sources/types.js';
import { renderFinding, renderForFinding } from '../render/render.js';
import { getField } from '../util/fieldPath.js';
import { stringify } from '../util/template.js';
import type { AskRequest } from './conversations.js';
import type { FindingReport } from './report.js';
import { plainMap } from '../util/plainMap.js';
import { collectFinding } from '../policy/digest.js';
import { withAttribution } from '../sigma/meta.js';

/** The key of the one summary notice an alert sends for its findings beyond run.max_findings. */
export const SUMMARY_KEY = '_more';
/** The key of the notice an alert sends when its search could not examine every key (beyond the bound of group_size pages). */
export const UNEXAMINED_KEY = '_unexamined';

/** What deciding over one alert's findings produced: reports, the notices to queue, and audit lines. */
export interface Decided {
  reports: FindingReport[];
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
  /** Findings of an `ask` alert that would have notified: the person is asked instead (the conversation stage). */
  asks: AskRequest[];
}

/** What deciding produced, plus the findings that would have notified beyond the alert's budget for this run. */
export interface DecidedWithOverflow extends Decided {
  overflow: Finding[];
}

/**
 * Runs the policy over an alert's findings: updates its keys' history in `state` (the decide stage's own part of
 * the state) and queues one notice per channel for every finding to notify, plus the escalation tier due now.
 * At most `budget` findings notify in one run; the others that would have are returned as `overflow` for the
 * caller's one summary notice, and their throttle starts as if they had been told.
 */
export function decideFindings(
  alert: AlertBase,
  findings: readonly Finding[],
  window: Window,
  state: AlertState,
  now: number,
  silences: readonly Silence[],
  personalise: (finding: Finding) => Personalised | undefined,
  budget = Number.POSITIVE_INFINITY,
): DecidedWithOverflow {
  const decided: DecidedWithOverflow = { reports: [], deliveries: [], audit: [], asks: [], overflow: [] };
  // A finding to notify goes at once to the alert's other channels and into its open digest for the digest channels.
  const digest = alert.ask ? undefined : alert.digest;
  const direct = directChannels(alert);
  const collect = (finding: Finding) => digest && collectFinding((state.digests ??= []), digest, finding, now);
  // First decide (pure), then render what notifies, and only then touch the keys' history: if a render fails,
  // the alert fails as a whole and no key is marked as notified without its deliveries.
  const candidates: Candidate[] = [];
  for (const finding of findings) {
    const person = personalise(finding);
    if (person && 'skip' in person) {
      decided.reports.push({ key: finding.key, count: finding.count, decision: 'skipped', notify: false, title: '', message: `feedback mail not sent: ${person.skip}` });
      continue;
    }
    const previous = state.keys[finding.key];
    const decision = decide(previous, alert.throttle, now, findSilence(silences, alert.name, finding, now), alert.throttle_cap);
    const quiet = decision.reason === 'silenced' || decision.reason === 'acknowledged' || previous?.handled;
    const tier = quiet ? undefined : escalation(alert, finding, previous, now);
    candidates.push({ finding, person, previous, decision, tier, notifies: decision.notify || tier !== undefined });
  }
  // The budget goes to escalations first (highest tier first), then to the newest: the rest are summed up. Within
  // the budget (the usual case) every finding that notifies is told, and nothing needs ranking.
  const told = toldWithin(candidates, budget);
  const planned: Planned[] = [];
  for (const c of candidates) {
    if (c.notifies && told && !told.has(c)) continue;
    const text = c.notifies ? renderFor(alert, c.finding, window, c.person) : NO_TEXT;
    planned.push({ finding: c.finding, previous: c.previous, decision: c.decision, tier: c.tier, notifies: c.notifies, title: text.title, message: text.message, to: c.person ? [c.person.to] : undefined });
  }
  if (told) for (const c of candidates) {
    if (!c.notifies || told.has(c)) continue;
    // Told in the caller's summary: the key's throttle starts now, so it is not told one by one next run either.
    decided.overflow.push(c.finding);
    if (c.decision.notify && !c.person) collect(c.finding);
    const key: KeyState = c.previous ?? { firstSeen: now, lastSeen: now, fired: 0, delivered: plainMap() };
    startEpisode(key, now);
    Object.assign(key, { lastSeen: now, lastFired: now, missedRuns: 0 }, backoffFields(c.decision));
    state.keys[c.finding.key] = key;
  }
  for (const { finding, previous, decision, tier, notifies, title, message, to } of planned) {
    const key: KeyState = previous ?? { firstSeen: now, lastSeen: now, fired: 0, delivered: plainMap() };
    key.lastSeen = now;
    key.missedRuns = 0;
    // A personal mail (to) offers no chat actions; every other notice offers its source's. The finding's labels
    // are walked once, for a finding that notifies (a throttled one has no notice): for its chat actions, and kept
    // by each of its notices.
    const fieldLabels = notifies ? findingLabels(finding.fields) : undefined;
    const actions = to || !fieldLabels ? [] : offeredActions(alert.source, fieldLabels);
    const spec = { alert: alert.name, key: finding.key, reason: decision.reason, title, message, fields: finding.fields, fieldLabels, actions, window, ...(to ? { to } : {}) };
    if (decision.notify) {
      startEpisode(key, now);
      key.lastFired = now;
      key.fired++;
      Object.assign(key, backoffFields(decision));
      key.lastTitle = title;
      if (alert.ask) decided.asks.push(askRequest(alert, alert.ask, finding, window, title, message));
      // A personal mail (to: a feedback mail to the person a case names) is never digested: it has its own recipient.
      else if (to) decided.deliveries.push(...enqueue(spec, alert.notify, now));
      else {
        decided.deliveries.push(...enqueue(spec, direct, now));
        collect(finding);
      }
    }
    state.keys[finding.key] = key;
    if (tier !== undefined) {
      key.tier = tier;
      const reason = `tier-${tier + 1}`;
      decided.deliveries.push(...enqueue({ ...spec, reason, title: `[${reason}] ${title}` }, alert.escalation![tier]!.notify, now));
    }
    decided.reports.push({
      key: finding.key,
      count: finding.count,
      decision: decision.reason,
      notify: decision.notify && !alert.ask,
      ...(decision.notify && digest && !to ? { digested: true } : {}),
      ...(decision.notify && alert.ask ? { asked: true } : {}),
      title,
      message,
      nextAt: decision.nextAt === undefined ? undefined : new Date(decision.nextAt).toISOString(),
      ...(tier !== undefined ? { escalated: `tier-${tier + 1}` } : {}),
    });
    decided.audit.push({ event: 'decision', alert: alert.name, key: finding.key, count: finding.count, reason: decision.reason, notify: decision.notify });
  }
  return decided;
}

/** The alert's channels that get each notice as it comes: all of notify but its digest channels. */
export function directChannels(alert: AlertBase): string[] {
  const digest = alert.ask ? undefined : alert.digest;
  return digest ? alert.notify.filter((channel) => !digest.channels.includes(channel)) : alert.notify;
}

/** What the conversation stage needs to ask about a finding: the person it names, the rendered notice, question and links. */
function askRequest(alert: AlertBase, ask: NonNullable<AlertBase['ask']>, finding: Finding, window: Window, title: string, message: string): AskRequest {
  const value = getField(finding.fields, ask.person) ?? getField(finding.samples[0], ask.person);
  const person = stringify(Array.isArray(value) ? value[0] : value).trim();
  return {
    alert: alert.name,
    key: finding.key,
    person: person || undefined,
    title,
    message,
    question: renderForFinding(ask.question, alert, finding, window),
    links: ask.links.map((link) => renderForFinding(link, alert, finding, window)),
  };
}

/** A finding decided, before its notice is rendered: the person a personal mail goes to, its key's history, the decision and tier due. */
interface Candidate {
  finding: Finding;
  person: Exclude<Personalised, { skip: string }> | undefined;
  previous: KeyState | undefined;
  decision: Decision;
  tier: number | undefined;
  /** Whether it would notify (its decision, or an escalation tier due). */
  notifies: boolean;
}

/** A finding to act on this run (told, or not notifying), with its rendered text (empty when it does not notify). */
interface Planned {
  finding: Finding;
  previous: KeyState | undefined;
  decision: Decision;
  tier: number | undefined;
  /** Whether it notifies (its decision, or an escalation tier): Candidate.notifies. */
  notifies: boolean;
  title: string;
  message: string;
  to: string[] | undefined;
}

/** The text of a finding that does not notify: nothing is rendered for it. */
const NO_TEXT: { title: string; message: string } = { title: '', message: '' };

/**
 * The candidates that notify within the budget, escalations first (highest tier first), then the newest; undefined
 * when all that notify fit in it (the usual case: nothing to rank).
 */
function toldWithin(candidates: readonly Candidate[], budget: number): Set<Candidate> | undefined {
  const notifying = candidates.filter((c) => c.notifies);
  if (notifying.length <= budget) return undefined;
  const ranked = notifying.sort((a, b) => (b.tier ?? -1) - (a.tier ?? -1) || (b.finding.createdAt ?? 0) - (a.finding.createdAt ?? 0));
  return new Set(ranked.slice(0, budget));
}

/** The title and message of a finding's notice: the alert's templates, or the personal template chosen for it. */
function renderFor(alert: AlertBase, finding: Finding, window: Window, person: Personalised | undefined): { title: string; message: string } {
  if (!person || 'skip' in person) return renderFinding(alert, finding, window);
  return renderFinding({ ...alert, ...person.template, samples: 0 }, finding, window);
}

/**
 * Marks the start of a firing episode on a key about to be notified (call before its lastFired is set): a key new or
 * not firing (resolved since its last notice) starts one now; a key still firing keeps its start. Changes the key only
 * in a run that notifies it, whose line is written anyway.
 */
function startEpisode(key: KeyState, now: number): void {
  if (!isFiring(key)) key.firingSince = now;
}

/** The key fields an exponential throttle's notice sets (its current throttle and exponent); none for a fixed throttle. */
function backoffFields(decision: { backoff?: { throttle: number; exponent: number } }): Partial<KeyState> {
  return decision.backoff ? { throttle: decision.backoff.throttle, exponent: decision.backoff.exponent } : {};
}

/** The escalation tier to send now for a finding (only one higher than any already sent), by its normalised age, severity and text. */
function escalation(alert: AlertBase, finding: Finding, key: KeyState | undefined, now: number): number | undefined {
  // An ask alert escalates through its conversation, not by age.
  if (!alert.escalation || alert.ask) return undefined;
  const highRisk = isHighRisk(alert.high_risk_words, finding.text ?? []);
  const due = dueTier(alert.escalation, now - (finding.createdAt ?? now), finding.severity, highRisk);
  return due !== undefined && (key?.tier === undefined || due > key.tier) ? due : undefined;
}

/** What following an alert's absent keys produced: the resolved notices to queue, and audit lines. */
export interface Resolved {
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
}

/**
 * Follows the notified keys that a successful run did not find. An acknowledged key that stops matching loses
 * its acknowledgement (so a new occurrence fires again); with `resolve_after: N`, a notified key absent for N runs
 * in a row gets one resolved notice on each channel that accepted a notice of it in this episode (resolveTargets:
 * tiers too, silenced or acked since, unless its send_resolved is false); a channel no longer configured is audited.
 */
export function trackAbsentKeys(alert: AlertBase, found: ReadonlySet<string>, state: AlertState, now: number, settingOf: ResolveSetting): Resolved {
  const resolved: Resolved = { deliveries: [], audit: [] };
  const { deliveries } = resolved;
  // Keys the store has not even parsed are as they were last written: skip them when none can need a look, and
  // look only at those its summary names (acknowledged, handled, firing) and those read in this run.
  const stored = unloadedKeySummary(state);
  if (stored && stored.attention.length === 0 && (alert.resolve_after === undefined || stored.firing.length === 0)) return resolved;
  for (const [name, key] of followedKeys(state.keys, alert.resolve_after !== undefined)) {
    // The summaries of a run are not keys of the searched data: they never resolve.
    if (found.has(name) || name === SUMMARY_KEY || name === UNEXAMINED_KEY) continue;
    const resolvable = alert.resolve_after !== undefined && isFiring(key);
    if (!resolvable && !key.acknowledged && !key.handled) continue;
    key.missedRuns = (key.missedRuns ?? 0) + 1;
    if (!absentLongEnough(alert.resolve_after, key, now)) continue;
    if (resolvable) {
      const title = `Resolved: ${key.lastTitle ?? `${alert.name} ${name}`}`;
      const how = key.handled ? ` (${key.handled.how} by ${key.handled.by})` : '';
      const message = withAttribution(`${alert.name}: "${name}" has not matched for ${key.missedRuns} run(s)${how}; last seen ${new Date(key.lastSeen).toISOString()}.`, alert.sigma);
      const targets = resolveTargets(key, settingOf);
      deliveries.push(...enqueue({ alert: alert.name, key: name, reason: 'resolved', title, message }, targets.to, now));
      for (const { channel, why } of targets.skipped) resolved.audit.push({ event: 'resolve_skipped', alert: alert.name, key: name, channel, why });
    }
    // lastFired stays: the throttle clock survives resolution.
    delete key.acknowledged;
    delete key.handled;
    key.resolvedAt = now;
    key.missedRuns = 0;
  }
  return resolved;
}

/** Whether an absent key has been away long enough to resolve: `resolve_after` runs in a row, or a span of time. */
function absentLongEnough(resolveAfter: AlertBase['resolve_after'], key: KeyState, now: number): boolean {
  if (resolveAfter === undefined) return (key.missedRuns ?? 0) >= 1;
  if (typeof resolveAfter === 'number') return (key.missedRuns ?? 0) >= resolveAfter;
  return now - key.lastSeen >= resolveAfter.ms;
}
