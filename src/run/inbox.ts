import type { AuditEntry } from '../model/audit.js';
import type { StateData } from '../model/state.js';
import type { ChannelConfig } from '../notify/config.js';
import { createInbox } from '../notify/registry.js';
import type { InboxReader } from '../notify/types.js';
import type { Source } from '../sources/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** What the inbox stage did: each action applied (or refused), the audit lines, and warnings for unreadable inboxes. */
export interface InboxResult {
  actions: { channel: string; op: string; ok: boolean; message: string }[];
  audit: AuditEntry[];
  warnings: string[];
}

/** The state transaction as the inbox stage uses it: the data, and a durable commit. */
export interface InboxTransaction {
  data: StateData;
  commit(): Promise<void>;
}

/**
 * Reads what people did in chat since each reading channel's stored cursor and applies it through the operations
 * module, under the run's lock and before planning. The effects are committed first, the new cursor only after
 * them: a kill in between applies an action twice at worst (operations are idempotent), never loses one.
 */
export async function inboxStage(
  tx: InboxTransaction,
  channels: Readonly<Record<string, ChannelConfig>>,
  loadSource: (name: string) => Promise<Source | undefined>,
  now: number,
  readers: (name: string, config: ChannelConfig) => Promise<InboxReader | undefined> = createInbox,
  timeoutMs = 10_000,
): Promise<InboxResult> {
  const result: InboxResult = { actions: [], audit: [], warnings: [] };
  for (const [name, config] of Object.entries(channels)) {
    const reader = await readers(name, config);
    if (!reader) continue;
    let read;
    try {
      read = await reader.read(tx.data.cursors[name], AbortSignal.timeout(timeoutMs));
    } catch (error) {
      result.warnings.push(`channel ${name}: could not read its inbox: ${redact(errorMessage(error))}`);
      continue;
    }
    for (const action of read.actions) {
      const request = action.request;
      const needs = request.op === 'promote' || request.op === 'act' ? request.source : undefined;
      const source = needs ? await loadSource(needs) : undefined;
      const { applyRequest } = await import('../operations/perform.js');
      const outcome = await applyRequest(tx.data, request, new Map(source && needs ? [[needs, source]] : []), now);
      result.actions.push({ channel: name, op: action.request.op, ok: outcome.ok, message: outcome.message });
      result.audit.push({ event: 'chat_action', channel: name, chat: action.chat, op: action.request.op, by: action.request.by, ok: outcome.ok, result: outcome.message });
    }
    if (read.actions.length) await tx.commit();
    tx.data.cursors[name] = read.cursor;
    await tx.commit();
  }
  return result;
}
