import { createHash } from 'node:crypto';
import type { AuditEntry } from '../model/audit.js';
import type { AlertOp, ChatChange } from '../model/partition.js';
import { chatsOf, type StateData } from '../model/state.js';
import { isChatId } from './telegramChatId.js';

/** Moves a chat's allowance (or ban) to its new id after a group became a supergroup (never to an id that cannot be a chat). */
export function moveChat(data: StateData, channel: string, from: string, to: string): boolean {
  if (!isChatId(to)) return false;
  const chats = chatsOf(data, channel);
  let moved = false;
  for (const list of [chats.allowed, chats.banned, chats.requested]) {
    const entry = list[from];
    if (!entry) continue;
    delete list[from];
    list[to] = { ...entry, id: to, kind: 'supergroup' };
    moved = true;
  }
  return moved;
}

/**
 * Queues a change a delivery just made to a channel's chats (in `data`, this run's view) for the coordinator, the
 * only writer of the meta document that keeps them (an `op:` document of op `chat`, its id derived from the change,
 * so the hosts that meet the same dead chat queue it once). False when it was queued already (its reader must not
 * tell the administrator again); true when queued now, or with a store that writes the chats directly (no data.ops).
 */
export function queueChatChange(data: StateData, channel: string, change: ChatChange, now: number): boolean {
  if (!data.ops) return true;
  const id = `chat-${createHash('sha256').update(JSON.stringify([channel, change.change, change.id, change.to ?? ''])).digest('hex').slice(0, 20)}`;
  if (data.ops.some((op) => op.id === id)) return false;
  data.ops.push({ id, op: 'chat', alert: channel, by: 'alertcron', at: now, chat: { ...change } });
  return true;
}

/**
 * Applies the queued chat changes to the channels' chats in `data`: on every host, so its own deliveries see them
 * at once; the coordinator (which writes the meta document) then takes them off the queue, which deletes their
 * documents. An allowance given again after the change was queued is kept. Returns the coordinator's audit lines.
 */
export function applyChatChanges(data: StateData, coordinator: boolean): AuditEntry[] {
  const audit: AuditEntry[] = [];
  if (!data.ops?.length) return audit;
  const done = new Set<AlertOp>();
  for (const op of data.ops) {
    if (!isChatOp(op)) continue;
    const change = op.chat;
    const chats = chatsOf(data, op.alert);
    let applied = false;
    if (change.change === 'unreachable') {
      const entry = chats.allowed[change.id];
      applied = !!entry && !(entry.at > op.at);
      if (applied) delete chats.allowed[change.id];
    } else if (change.to !== undefined) applied = moveChat(data, op.alert, change.id, change.to);
    if (!coordinator) continue;
    done.add(op);
    if (applied) audit.push({ event: 'chat_allow_list', channel: op.alert, change: change.change, chat: change.id, ...(change.to ? { to: change.to } : {}), queuedAt: new Date(op.at).toISOString() });
  }
  if (done.size) data.ops = data.ops.filter((op) => !done.has(op));
  return audit;
}

/** Whether a queued operation is a chat change of the shape this version applies. */
function isChatOp(op: AlertOp): op is AlertOp & { chat: ChatChange } {
  const c = (op as Partial<AlertOp> | null)?.chat as Partial<ChatChange> | undefined;
  return op?.op === 'chat' && typeof op.alert === 'string' && Number.isFinite(op.at) && typeof c?.id === 'string' &&
    (c.change === 'unreachable' || (c.change === 'moved' && typeof c.to === 'string'));
}
