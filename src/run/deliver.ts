import type { AuditEntry } from '../model/audit.js';
import type { DeliveryConfig } from '../model/config.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import { deliverAll } from '../outbox/deliver.js';
import { enqueueAction } from '../outbox/enqueue.js';
import { expirePending, recordDeliveries, type DeliveryReport } from '../outbox/record.js';
import type { Senders } from '../outbox/senders.js';
import type { Receipt } from '../model/receipt.js';
import type { DeliveredEntry } from '../state/delivered.js';

/** Time kept after the last attempt for recording the run (state, audit) before the run's own deadline. */
const FINISH_MARGIN_MS = 2_000;

/** What the deliver stage did: a report per item it sent, expired or muted, and the audit lines. */
export interface Delivered {
  reports: DeliveryReport[];
  audit: AuditEntry[];
}

/** What the deliver stage needs besides the state: where items go, the limits, and the two policies it applies. */
export interface DeliverContext {
  senders: Senders;
  delivery: DeliveryConfig;
  /** Which pending items this run sends (all, or those of the `--only` alerts). */
  selected: (item: PendingDelivery) => boolean;
  /** Which pending items are this host's to send or expire (hosts sharing the cluster state: those of the partitions it holds); default all. */
  held?: (item: PendingDelivery) => boolean;
  /** Why an item must not be sent (any more), asked just before each send. */
  muted: (item: PendingDelivery) => string | undefined;
  /** The source action to queue after a notice of this alert was accepted (write-back), if any. */
  afterDelivery: (alert: string, reason: string) => { source: string; name: string; args: Record<string, unknown> } | undefined;
  clock: () => number;
  /** Records an accepted delivery at once; resolves once it is durable (a kill after that does not repeat it). */
  journal: (entry: DeliveredEntry) => Promise<void>;
  /** Claims the items about to be sent and returns those this run may send (a shared state: another host may hold some). */
  claim?: (items: PendingDelivery[]) => Promise<PendingDelivery[]>;
  /** When the whole run must end (epoch ms, real time): both the notices and the write-backs fit before it. */
  deadlineAt: number;
}

/**
 * Expires what failed for too long, sends every selected pending item that is due (muted ones are dropped with an audit
 * record naming why), records what each channel accepted with its receipt, then performs the source actions
 * that accepted notices call for (e.g. tag the TheHive alert), retried like any delivery.
 */
export async function deliverStage(data: StateData, context: DeliverContext): Promise<Delivered> {
  const now = context.clock();
  const expired = expirePending(data, now, context.delivery.max_pending_age, context.held);
  const delivered: Delivered = { reports: [...expired.reports], audit: [...expired.audit] };
  const followUp = followUpQueue(data.pending, context, now);
  const send = async (wanted: PendingDelivery[]) => {
    const items = context.claim ? await context.claim(wanted) : wanted;
    // No attempt starts after the delivery deadline or FINISH_MARGIN_MS before the run's end, and every attempt under
    // way ends by then: the state's commit, the audit and the heartbeat still fit before the run's deadline.
    const left = Math.max(0, context.deadlineAt - FINISH_MARGIN_MS - Date.now());
    const delivery = { ...context.delivery, deadline: Math.min(context.delivery.deadline, left), finishWithin: left, channelLimit: context.senders.limitOf };
    const byId = new Map(items.map((item) => [item.id, item]));
    const position = new Map(items.map((item, i) => [item.id, i]));
    // An accepted notice is journalled with the action it calls for, so that a kill right after it loses neither.
    const journal = (id: string, receipt: Receipt | undefined) => {
      const then = followUp.take(byId.get(id), position.get(id) ?? 0);
      return context.journal({ id, at: context.clock(), ...(receipt ? { receipt } : {}), ...(then ? { then } : {}) });
    };
    const outcomes = await deliverAll(items, context.senders.senderFor, delivery, context.muted, journal);
    const recorded = recordDeliveries(data, outcomes, context.clock());
    delivered.reports.push(...recorded.reports);
    delivered.audit.push(...recorded.audit, ...context.senders.takeAudit());
  };
  // An item whose channel asked for a longer wait (Retry-After) than a run retries within waits for a later run.
  const due = (item: PendingDelivery) => !item.notBefore || item.notBefore <= now;
  const held = context.held ?? (() => true);
  await send(data.pending.filter((item) => context.selected(item) && held(item) && due(item)));
  const actions = followUp.taken();
  if (actions.length) {
    data.pending.push(...actions);
    await send(actions);
  }
  return delivered;
}

/**
 * The source actions accepted notices call for (e.g. tag the TheHive alert): none that is already queued, and one
 * per alert, key and action in a run, its tags merged in the order of the notices that called for them (so that
 * a first notice and a tier sent together make one request, with a stable order). `take` builds or extends the
 * action for an accepted item; `taken` lists them.
 */
function followUpQueue(pending: readonly PendingDelivery[], context: DeliverContext, now: number) {
  const idOf = (alert: string, key: string, action: { source: string; name: string; args: unknown }) => `${alert}\u0000${key}\u0000${action.source}.${action.name}\u0000${JSON.stringify(action.args)}`;
  const queued = new Set(pending.filter((p) => p.action).map((p) => idOf(p.alert, p.key, p.action!)));
  const byTarget = new Map<string, { action: PendingDelivery; position: number; parts: { position: number; tags: unknown[] }[] }>();
  return {
    take(item: PendingDelivery | undefined, position: number): PendingDelivery | undefined {
      if (!item?.channel) return undefined;
      const action = context.afterDelivery(item.alert, item.reason);
      if (!action) return undefined;
      const id = idOf(item.alert, item.key, action);
      if (queued.has(id)) return undefined;
      queued.add(id);
      const target = `${item.alert}\u0000${item.key}\u0000${action.source}.${action.name}`;
      const tags = Array.isArray(action.args.tags) ? action.args.tags : undefined;
      const existing = byTarget.get(target);
      if (existing && tags && Array.isArray(existing.action.action!.args.tags)) {
        existing.parts.push({ position, tags });
        existing.position = Math.min(existing.position, position);
        const merged = [...existing.parts].sort((a, b) => a.position - b.position).flatMap((p) => p.tags);
        existing.action.action = { ...existing.action.action!, args: { ...existing.action.action!.args, tags: merged } };
        return existing.action;
      }
      const queuedAction = enqueueAction(item.alert, item.key, action, now);
      byTarget.set(existing ? `${target}\u0000${queuedAction.id}` : target, { action: queuedAction, position, parts: tags ? [{ position, tags }] : [] });
      return queuedAction;
    },
    // In the order of the notices that called for them, not the order the channels happened to answer in.
    taken: () => [...byTarget.values()].sort((a, b) => a.position - b.position).map((o) => o.action),
  };
}
