import type { AlertBase } from '../model/alert.js';
import type { AuditEntry } from '../model/audit.js';
import type { Finding } from '../model/finding.js';
import type { NoticeAction, OperationResult } from '../model/operation.js';
import type { ChatLogEntry, OwedAnswer, SentNotice, StateData } from '../model/state.js';
import type { ChannelConfig } from '../notify/config.js';
import { createInbox, sharedInbox } from '../notify/registry.js';
import type { ChatAction, ChatAnswers, ChatMessage, ChatOutcome, InboxRead, InboxReader } from '../notify/types.js';
import { findingLabels } from '../outbox/enqueue.js';
import { renderFinding } from '../render/render.js';
import { offeredActions } from '../sources/chatActions.js';
import type { Source } from '../sources/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { stageSignals, type StageSignals } from '../util/signal.js';
import { keepReplies } from './conversations.js';
import { plainMap } from '../util/plainMap.js';
import { findReceipt, keepReceiptChange } from '../state/receipts.js';
import type { Ownership } from '../model/partition.js';
import { createHash } from 'node:crypto';

/** What the inbox stage did: each action applied (or refused), the audit lines, the private messages read, warnings. */
export interface InboxResult {
  actions: { channel: string; op: string; ok: boolean; message: string }[];
  audit: AuditEntry[];
  /** Plain text messages people sent the bots in private chats this run, for other consumers of the same run. */
  messages: ChatMessage[];
  warnings: string[];
}

/** The state transaction as the inbox stage uses it: the data, a durable commit, and what it holds (absent: everything). */
export interface InboxTransaction {
  data: StateData;
  commit(): Promise<void>;
  /** With the partitioned cluster store: the partitions held; an action on an alert held elsewhere is queued for its holder. */
  ownership?: Ownership;
}

/** How many chat actions `status` keeps, and how long an applied action's id is remembered (longer than any update lives). */
const CHAT_LOG_SIZE = 200;
const DONE_KEPT_MS = 3 * 86_400_000;
/** How many answers owed the state keeps at most (a chat service down for long), the oldest dropped first. */
const OWED_MAX = 1000;

/** What the inbox stage may know of the alerts: each one's source, and how to render its notice again from a fresh finding. */
export interface AlertLookup {
  sourceOf(alert: string): string | undefined;
  render?(alert: string, finding: Finding): { title: string; message: string } | undefined;
}

/** An alert lookup over the loaded alerts (rendering a refreshed notice over the last hour as its window). */
export function alertLookup(alerts: readonly AlertBase[], now: number): AlertLookup {
  // Made on the first chat action that asks: most runs read none, and a map of 10,000 alerts is made for nothing.
  let byName: Map<string, AlertBase> | undefined;
  const find = (name: string) => (byName ??= new Map(alerts.map((a) => [a.name, a]))).get(name);
  return {
    sourceOf: (name) => find(name)?.source,
    render: (name, finding) => {
      const alert = find(name);
      return alert ? renderFinding(alert, finding, { from: now - 3_600_000, to: now }) : undefined;
    },
  };
}

/** How long one call to a chat service may take at most (a read, one answer). */
const CALL_MS = 10_000;
/** How many owed answers one channel tells in one run at most (the rest wait for a later run). */
const OWED_PER_RUN = 100;

/**
 * Reads what people did in chat since each reading channel's stored cursor and applies it through the operations
 * module, under the run's lock and before planning, one page at a time: read, apply, commit the effects (with each
 * action's id, so a replay after a kill applies nothing twice), tell people what came of their actions, then store
 * the cursor after that page. A kill in between repeats at most an answer, never an effect, and loses nothing.
 * Every call is cut short by the stage's budget (`budgetMs`, a part of the run's deadline); what does not fit is
 * left after the stored cursor for the next run.
 */
export async function inboxStage(
  tx: InboxTransaction,
  channels: Readonly<Record<string, ChannelConfig>>,
  loadSource: (name: string) => Promise<Source | undefined>,
  now: number,
  readers: (name: string, config: ChannelConfig) => Promise<InboxReader | undefined> = createInbox,
  budgetMs = 10_000,
  alerts: AlertLookup = { sourceOf: () => undefined },
): Promise<InboxResult> {
  const result: InboxResult = { actions: [], audit: [], messages: [], warnings: [] };
  // With the partitioned cluster store only the coordinator reads the chats (one reader per bot and minute).
  if (tx.ownership && !tx.ownership.coordinator) return result;
  const data = tx.data;
  // Answers owed as an earlier run saved them; one that is not of that shape (a hand-edited state) cannot be told.
  if (data.chatOwed !== undefined) data.chatOwed = Array.isArray(data.chatOwed) ? data.chatOwed.filter(isOwedAnswer) : [];
  // Each call: what is left of the stage's budget, and at most CALL_MS (a timer that fires on time).
  const calls = stageSignals(Date.now() + Math.max(0, budgetMs), CALL_MS);
  try {
    await readChannels(tx, channels, loadSource, now, readers, alerts, result, calls);
  } finally {
    calls.done();
  }
  forgetOldDone(data, now, channels);
  return result;
}

/** Reads and applies each reading channel's inbox in turn, its owed answers first, within the stage's budget. */
async function readChannels(
  tx: InboxTransaction,
  channels: Readonly<Record<string, ChannelConfig>>,
  loadSource: (name: string) => Promise<Source | undefined>,
  now: number,
  readers: (name: string, config: ChannelConfig) => Promise<InboxReader | undefined>,
  alerts: AlertLookup,
  result: InboxResult,
  calls: StageSignals,
): Promise<void> {
  const data = tx.data;
  // One getUpdates per bot and run: a second channel with the same bot would take the first one's updates.
  const readerOfBot = new Map<string, string>();
  for (const [name, config] of Object.entries(channels)) {
    const reader = await readers(name, config);
    if (!reader) continue;
    const shared = sharedInbox(config);
    const first = shared && readerOfBot.get(shared.key);
    if (shared && first) {
      result.warnings.push(`channel ${name} uses the same ${shared.what} as channel ${first}: only ${first} reads its updates (give each bot channel its own bot)`);
      continue;
    }
    if (shared) readerOfBot.set(shared.key, name);
    const context = { data, now };
    const owedLeft = { count: OWED_PER_RUN };
    // Answers an earlier run owes go first: they are the oldest.
    await payOwed(name, reader, context, tx, result, calls, owedLeft);
    for (;;) {
      if (calls.spent()) {
        result.warnings.push(`channel ${name}: the chat inbox stage used its share of run.deadline; the rest is read next run`);
        break;
      }
      let read;
      try {
        read = await reader.read(data.cursors[name], calls.call(), context);
      } catch (error) {
        result.warnings.push(`channel ${name}: could not read its inbox: ${redact(errorMessage(error))}`);
        break;
      }
      await applyPage(name, reader, read, context, tx, loadSource, alerts, result, calls, owedLeft);
      if (!read.more) break;
    }
  }
}

/** Applies one page a reader read, commits its effects, answers in chat, then stores the cursor after it. */
async function applyPage(
  name: string,
  reader: InboxReader,
  read: InboxRead,
  context: { data: StateData; now: number },
  tx: InboxTransaction,
  loadSource: (name: string) => Promise<Source | undefined>,
  alerts: AlertLookup,
  result: InboxResult,
  calls: StageSignals,
  owedLeft: { count: number },
): Promise<void> {
  const { data, now } = context;
  result.warnings.push(...(read.warnings ?? []));
  result.messages.push(...(read.messages ?? []));
  // Replies to ask alerts' questions are kept with their conversations before the cursor moves past them.
  keepReplies(data, read.messages ?? []);
  for (const entry of read.audit ?? []) {
    result.audit.push({ channel: name, ...entry });
    if (entry.event === 'chat_refused') logChat(data, { at: now, channel: name, chat: String(entry.chat ?? ''), by: String(entry.by ?? ''), what: String(entry.what ?? ''), ok: false, result: String(entry.why ?? 'refused') });
  }
  const outcomes: ChatOutcome[] = [];
  // An action applied before (a run killed before storing its cursor) had its answer owed with its effects: not again.
  const replayed = new Set(read.actions.filter((a) => data.chatDone?.[a.id] !== undefined).map((a) => a.id));
  for (const action of read.actions) {
    const done = await applyOnce(data, action, loadSource, now, calls.call(), tx.ownership);
    const notice = action.notice ? findReceipt(data, action.notice, (s) => s.id === action.notice) : undefined;
    const offers = notice ? offersAfter(notice, action, done, alerts) : undefined;
    if (notice && offers) {
      notice.offered = offers;
      keepReceiptChange(data, notice);
    }
    const rendered = done.ok && done.finding && notice ? alerts.render?.(notice.alert, done.finding) : undefined;
    outcomes.push({ action, ok: done.ok, message: done.message, at: now, ...(offers ? { offers } : {}), ...(rendered ? { rendered } : {}) });
    const what = describe(action);
    result.actions.push({ channel: name, op: action.request.op, ok: done.ok, message: done.message });
    result.audit.push({ event: 'chat_action', channel: name, chat: action.chat, op: action.request.op, what, by: action.request.by, ok: done.ok, result: done.message });
    logChat(data, { at: now, channel: name, chat: action.chat, by: action.request.by, what, ok: done.ok, result: done.message });
  }
  // The effects are saved with the answers they are owed, then the cursor after them: a kill in between repeats
  // nothing, and every applied action is still confirmed (the answers owed are told by this run or the next).
  if (reader.respond) owe(data, name, now, outcomes.filter((o) => !replayed.has(o.action.id)));
  if (read.actions.length || read.audit?.length) await tx.commit();
  data.cursors[name] = read.cursor;
  await tx.commit();
  await payOwed(name, reader, context, tx, result, calls, owedLeft);
}

/** Whether a value read from the state is an answer owed: a channel, a time, and an outcome of an action with an id and a request. */
function isOwedAnswer(value: unknown): value is OwedAnswer {
  const o = value as Partial<OwedAnswer> | null;
  const outcome = o?.outcome as Partial<ChatOutcome> | undefined;
  return typeof o?.channel === 'string' && typeof o.at === 'number' && typeof outcome?.message === 'string' && typeof outcome.action?.id === 'string' && typeof outcome.action.request?.by === 'string';
}

/** Keeps answers owed for applied chat actions in the state, until the chat service accepted them. */
function owe(data: StateData, channel: string, now: number, outcomes: ChatOutcome[]): void {
  if (!outcomes.length) return;
  data.chatOwed ??= [];
  data.chatOwed.push(...outcomes.map((outcome) => ({ channel, at: now, outcome })));
  // A bound for a chat service that stays down: the oldest answers go first.
  if (data.chatOwed.length > OWED_MAX) data.chatOwed.splice(0, data.chatOwed.length - OWED_MAX);
}

/**
 * Tells people what came of their actions: the answers this channel owes (from this page, or from an earlier run
 * that ran out of time or met a failing service), oldest first, each within its own call's time, at most
 * `owedLeft` (OWED_PER_RUN) of them per channel and run, and none once the stage's budget is spent; what is told
 * leaves the state.
 */
async function payOwed(name: string, reader: InboxReader, context: { data: StateData; now: number }, tx: InboxTransaction, result: InboxResult, calls: StageSignals, owedLeft: { count: number }): Promise<void> {
  const { data } = context;
  const owed = (data.chatOwed ?? []).filter((o) => o.channel === name);
  if (!owed.length || !reader.respond) return;
  const told: OwedAnswer[] = [];
  for (const answer of owed) {
    if (calls.spent() || owedLeft.count <= 0) break;
    owedLeft.count--;
    let answers: ChatAnswers;
    try {
      answers = await reader.respond([answer.outcome as ChatOutcome], calls.call(), context);
    } catch (error) {
      result.warnings.push(`channel ${name}: could not answer in chat: ${redact(errorMessage(error))}`);
      break;
    }
    result.warnings.push(...answers.warnings);
    if (!answers.owed.includes((answer.outcome as ChatOutcome).action.id)) told.push(answer);
  }
  const still = owed.length - told.length;
  if (still) result.warnings.push(`channel ${name}: ${still} chat action(s) applied but not yet confirmed in chat: confirmed by the next run`);
  if (!told.length) return;
  data.chatOwed = (data.chatOwed ?? []).filter((o) => !told.includes(o));
  await tx.commit();
}

/** The id of the op a chat action queues: derived from the action's id, so that a replay after a lost commit queues nothing twice. */
export function chatOpId(actionId: string): string {
  return `chat-${createHash('sha256').update(actionId).digest('hex').slice(0, 24)}`;
}

/**
 * Applies an action unless its id was applied before (a run killed before storing its cursor reads it again); an
 * action on an alert of a partition not held is queued for its holder under an id derived from the action's.
 */
async function applyOnce(data: StateData, action: ChatAction, loadSource: (name: string) => Promise<Source | undefined>, now: number, signal: AbortSignal, ownership?: Ownership): Promise<OperationResult> {
  data.chatDone ??= plainMap();
  if (data.chatDone[action.id] !== undefined) return { ok: true, message: 'already applied' };
  const request = action.request;
  const sourceName = request.op === 'promote' || request.op === 'act' ? request.source : undefined;
  const source = sourceName ? await loadSource(sourceName) : undefined;
  const { applyRequest } = await import('../operations/perform.js');
  const done = await applyRequest(data, request, new Map(source && sourceName ? [[sourceName, source]] : []), now, signal, { ...(ownership ? { ownership } : {}), id: chatOpId(action.id) });
  if (done.ok) data.chatDone[action.id] = now;
  return done;
}

/**
 * What a notice offers after an action: unchanged after a failure; recomputed from the item's new labels (or its
 * fresh finding's) when the source gave them; nothing once the key is promoted or ignored; the same after another
 * source action; otherwise the same minus the action just taken (ack, silence).
 */
function offersAfter(notice: SentNotice, action: ChatAction, done: OperationResult, alerts: AlertLookup): NoticeAction[] | undefined {
  const current = notice.offered ?? notice.actions ?? [];
  if (!done.ok) return current;
  const labels = done.labels ?? (done.ok && done.finding ? findingLabels(done.finding.fields) : undefined);
  if (labels) {
    const source = alerts.sourceOf(notice.alert);
    return source ? offeredActions(source, labels) : current;
  }
  if (action.request.op === 'promote' || action.request.op === 'ignore') return [];
  // Another source action that says nothing of the item (no labels): the notice offers what it did.
  if (action.request.op === 'act') return current;
  return current.filter((a) => a.name !== action.action);
}

/** One word for what an action asked: the operation, and its alert and key. */
function describe(action: ChatAction): string {
  const r = action.request;
  const target = 'alert' in r && r.alert ? `${r.alert} ${'key' in r && r.key !== undefined ? r.key : ''}`.trim() : 'key' in r ? r.key : '';
  const op = r.op === 'act' ? r.action : r.op;
  return `${op}${target ? ` ${target}` : ''}`;
}

/** Appends to the chat log `status` shows, keeping the latest CHAT_LOG_SIZE. */
function logChat(data: StateData, entry: ChatLogEntry): void {
  data.chatLog ??= [];
  data.chatLog.push(entry);
  if (data.chatLog.length > CHAT_LOG_SIZE) data.chatLog.splice(0, data.chatLog.length - CHAT_LOG_SIZE);
}

/** Forgets applied action ids older than any chat service keeps an update, and answers owed that long (or to a channel gone). */
function forgetOldDone(data: StateData, now: number, channels: Readonly<Record<string, ChannelConfig>>): void {
  if (data.chatOwed) data.chatOwed = data.chatOwed.filter((o) => now - o.at <= DONE_KEPT_MS && channels[o.channel] !== undefined);
  if (!data.chatDone) return;
  for (const [id, at] of Object.entries(data.chatDone)) if (now - at > DONE_KEPT_MS) delete data.chatDone[id];
}
