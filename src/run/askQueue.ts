import type { QueuedAsk } from '../model/partition.js';
import type { StateData } from '../model/state.js';
import type { AskRequest } from './conversations.js';

/**
 * Hands ask findings to the coordinator (a host that does not hold the conversations, with the partitioned
 * cluster store): one queued ask per alert and key (document `ask:<alert>/<key>`, create-only), the first one kept.
 * Returns how many were queued.
 */
export function queueAsks(data: StateData, asks: readonly AskRequest[], now: number): number {
  if (!data.asks) return 0;
  let queued = 0;
  for (const ask of asks) {
    const id = `${ask.alert}/${ask.key}`;
    if (data.asks.some((q) => q.id === id)) continue;
    data.asks.push({ id, alert: ask.alert, key: ask.key, person: ask.person, title: ask.title, message: ask.message, question: ask.question, links: [...ask.links], at: now });
    queued++;
  }
  return queued;
}

/** Takes the asks other hosts queued for the coordinator's conversation stage, leaving none queued (the store deletes their documents). */
export function takeQueuedAsks(data: StateData): AskRequest[] {
  const taken = (data.asks ?? []).filter(isQueuedAsk).map((q) => ({ alert: q.alert, key: q.key, person: q.person ?? undefined, title: q.title, message: q.message, question: q.question, links: q.links.filter((l): l is string => typeof l === 'string') }));
  if (data.asks) data.asks = [];
  return taken;
}

/** Whether a queued ask read from the store has the fields a conversation needs (a hand-edited document may not). */
function isQueuedAsk(value: unknown): value is QueuedAsk {
  const q = value as Partial<QueuedAsk> | null;
  return typeof q?.alert === 'string' && typeof q.key === 'string' && typeof q.title === 'string' && typeof q.message === 'string' && typeof q.question === 'string' && Array.isArray(q.links) && (q.person === undefined || q.person === null || typeof q.person === 'string');
}
