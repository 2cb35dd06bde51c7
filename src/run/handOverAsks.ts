import type { StateData } from '../model/state.js';
import type { QueuedAsk } from '../model/partition.js';
import type { AskRequest } from './conversations.js';

/** The id of an ask handed to the coordinator: one per alert and key (document `ask:<alert>/<key>`). */
export function queuedAskId(alert: string, key: string): string {
  return `${alert}/${key}`;
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
