import { randomUUID } from 'node:crypto';
import type { AlertDef } from '../config/types.js';
import type { Finding } from '../conditions/finding.js';
import { decide } from '../policy/decide.js';
import type { AlertState, KeyState, PendingDelivery, Silence } from '../state/types.js';
import { dueTier, isHighRisk } from '../policy/escalate.js';
import { planFeedback, withTemplate } from './feedback.js';
import { findSilence } from '../policy/silences.js';
import type { Window } from './buildSearch.js';
import { renderFinding } from './render.js';
import type { FindingReport } from './report.js';

/**
 * Runs the policy over an alert's findings, updating the keys' history in `state` and returning
 * one pending delivery per channel for every finding that is to be notified.
 */
export function applyFindings(alert: AlertDef, findings: Finding[], window: Window, state: AlertState, now: number, silences: readonly Silence[] = []): { reports: FindingReport[]; deliveries: PendingDelivery[] } {
  const reports: FindingReport[] = [];
  const deliveries: PendingDelivery[] = [];
  // Render every finding before touching the keys' history: if one fails, the alert fails as a whole
  // and no key is marked as notified without its deliveries.
  const rendered = findings.map((finding) => {
    if (!alert.feedback) return { finding, ...renderFinding(alert, finding, window) };
    const plan = planFeedback(alert.feedback, finding);
    if ('skip' in plan) return { finding, title: '', message: '', skip: plan.skip };
    return { finding, ...renderFinding(withTemplate(alert, plan.template), finding, window), to: [plan.to] };
  });
  for (const { finding, title, message, skip, to } of rendered as { finding: Finding; title: string; message: string; skip?: string; to?: string[] }[]) {
    if (skip) {
      reports.push({ key: finding.key, count: finding.count, decision: 'skipped', notify: false, title: '', message: `feedback mail not sent: ${skip}` });
      continue;
    }
    const previous = state.keys[finding.key];
    const decision = decide(previous, alert.throttle, now, findSilence(silences, alert.name, finding, now));
    const key = previous ?? { firstSeen: now, lastSeen: now, fired: 0, delivered: {} };
    key.lastSeen = now;
    key.missedRuns = 0;
    if (decision.notify) {
      key.lastFired = now;
      key.fired++;
      key.lastTitle = title;
      for (const channel of alert.notify) {
        deliveries.push({ id: randomUUID(), alert: alert.name, key: finding.key, channel, reason: decision.reason, title, message, createdAt: now, attempts: 0, ...(to ? { to } : {}) });
      }
    }
    state.keys[finding.key] = key;
    const tier = decision.reason === 'silenced' || decision.reason === 'acknowledged' ? undefined : escalation(alert, finding, key, now);
    if (tier !== undefined) {
      key.tier = tier;
      const reason = `tier-${tier + 1}`;
      for (const channel of alert.escalation![tier]!.notify) {
        deliveries.push({ id: randomUUID(), alert: alert.name, key: finding.key, channel, reason, title: `[${reason}] ${title}`, message, createdAt: now, attempts: 0 });
      }
    }
    reports.push({
      key: finding.key,
      count: finding.count,
      decision: decision.reason,
      notify: decision.notify,
      title,
      message,
      nextAt: decision.nextAt === undefined ? undefined : new Date(decision.nextAt).toISOString(),
      ...(tier !== undefined ? { escalated: `tier-${tier + 1}` } : {}),
    });
  }
  return { reports, deliveries };
}

/** The escalation tier to send now for a finding (only one higher than any already sent), or undefined. */
function escalation(alert: AlertDef, finding: Finding, key: KeyState, now: number): number | undefined {
  if (!alert.escalation) return undefined;
  const fields = finding.fields;
  const created = typeof fields._createdAt === 'number' ? fields._createdAt : now;
  const highRisk = isHighRisk(alert.high_risk_words, [fields.title, fields.description, fields.tags]);
  const due = dueTier(alert.escalation, now - created, typeof fields.severity === 'number' ? fields.severity : undefined, highRisk);
  return due !== undefined && (key.tier === undefined || due > key.tier) ? due : undefined;
}
