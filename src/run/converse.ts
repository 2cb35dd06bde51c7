import type { AlertDef, Config } from '../config/types.js';
import type { AlertBase, AskPolicy } from '../model/alert.js';
import type { StateData } from '../model/state.js';
import { createAskChannel } from '../notify/registry.js';
import type { AskChannel } from '../notify/types.js';
import { stageSignals } from '../util/signal.js';
import { conversationStage, keptReplies, type AskRequest, type ConversationResult } from './conversations.js';
import { takeQueuedAsks } from './askQueue.js';

/** Longest one chat or Duo call of the conversation stage may take. */
const CALL_TIMEOUT_MS = 10_000;
/** Longest the whole stage may take: what is left of the run goes to the deliveries; the rest waits for the next run. */
const STAGE_BUDGET_MS = 15_000;

/**
 * Runs the conversation stage with this run's chats and Duo: loads them only when an ask alert or an open
 * conversation needs them, and bounds every call by the run's deadline. With the partitioned cluster store only
 * the coordinator runs it: it takes the asks other hosts handed over (data.asks) besides this run's own.
 */
export async function converseStage(config: Config, alerts: readonly AlertDef[], data: StateData, thisRun: readonly AskRequest[], commit: () => Promise<void>, deadlineAt: number, now: number): Promise<ConversationResult | undefined> {
  const asks = [...thisRun, ...takeQueuedAsks(data)];
  const open = (data.conversations ?? []).some((c) => (c.state !== 'confirmed' && c.state !== 'escalated') || c.outbox?.length);
  if (!asks.length && !open) return undefined;
  const askAlerts = new Map(alerts.filter((a): a is AlertDef & { ask: AskPolicy } => !!a.ask).map((a) => [a.name, a as AlertBase & { ask: AskPolicy }]));
  const chats = new Map<string, Promise<AskChannel | undefined>>();
  const chat = (name: string) => {
    const channel = config.channels[name];
    if (!channel) return Promise.resolve(undefined);
    if (!chats.has(name)) chats.set(name, createAskChannel(name, channel, () => keptReplies(data, name)));
    return chats.get(name)!;
  };
  const stageEnd = Math.min(deadlineAt, Date.now() + STAGE_BUDGET_MS);
  const duo = config.duo ? (await import('../notify/duo/client.js')).createDuoClient(config.duo) : undefined;
  const calls = stageSignals(stageEnd, CALL_TIMEOUT_MS);
  return conversationStage(data, asks, {
    alerts: askAlerts,
    chat,
    duo,
    pushTimeout: config.duo?.push_timeout ?? 0,
    ...(config.duo?.on_bypass ? { onBypass: config.duo.on_bypass } : {}),
    commit,
    signal: calls.call,
    expired: calls.spent,
    now,
  }).finally(calls.done);
}
