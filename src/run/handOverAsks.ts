import { createHash } from 'node:crypto';
import type { StateData } from '../model/state.js';
import { partitionOf, type QueuedAsk } from '../model/partition.js';
import type { AskRequest } from './conversations.js';

/**
 * The id of an ask handed to the coordinator: one per alert and key, `<partition>-<hash of alert and key>` (document
 * `ask:<id>`), never the key itself: a key is data from the logs, of any length, and a document id must stay short.
 */
export function queuedAskId(alert: string, key: string): string {
  return `${partitionOf(alert)}-${createHash('sha256').update(`${alert}\0${key}`).digest('hex').slice(0, 32)}`;
}

/**
 * Hands this run's ask findings to the coordinator, which holds the conversations: each becomes a QueuedAsk in
 * data.asks (created once: an ask of the same alert and key still waiting is kept as it is, as the conversation
 * stage starts one conversation per alert and key).
 */
export function handOverAsks(data: StateData, asks: readonly AskRequest[], now: number): void {
  if (!asks.length) return;
  const queued = (data.asks ??= []);
  const waiting = new Set(queued.map((a) => a.id));
  for (const ask of asks) {
    const id = queuedAskId(ask.alert, ask.key);
    if (waiting.has(id)) continue;
    waiting.add(id);
    const item: QueuedAsk = { id, alert: ask.alert, key: ask.key, person: ask.person, title: ask.title, message: ask.message, question: ask.question, links: [...ask.links], at: now };
    queued.push(item);
  }
}
