import type { QueuedAsk } from '../model/partition.js';
import type { StateData } from '../model/state.js';
import type { AskRequest } from './conversations.js';

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
