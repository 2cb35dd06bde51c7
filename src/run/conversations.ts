import type { AlertBase, AskPolicy } from '../model/alert.js';
import type { QueuedAsk } from '../model/partition.js';
import type { AuditEntry } from '../model/audit.js';
import { isClosed, type Conversation, type EscalationReason } from '../model/conversation.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import type { DuoClient } from '../notify/duo/client.js';
import { PersonUnreachable, type AskChannel, type ChatMessage, type PersonRef } from '../notify/types.js';
import { enqueue, queueNotice } from '../outbox/enqueue.js';
import { parseAnswer } from '../policy/answer.js';
import { moveTo, openConversation, quietedBy, SAY, whichQuestion } from '../policy/conversation.js';
import { deadlineAfter } from '../policy/workingHours.js';
import { escalationNotice } from '../render/escalationNotice.js';
import { readAnswers, type ConversationAnswers } from './readAnswers.js';
import { errorMessage } from '../util/errors.js';
import { redact, redactedExcerpt } from '../util/redact.js';
import { serverTime } from '../util/serverValues.js';
import { cutText } from '../util/text.js';

/**
 * A finding of an `ask` alert that would have notified: the decide stage hands it here instead of to the outbox (the
 * person is the value of `ask.person`, undefined when the field is empty); another host hands it over as a QueuedAsk.
 */
export type AskRequest = Omit<QueuedAsk, 'id' | 'at'>;

/** What the conversation stage did: notices to queue (escalations), audit lines, warnings, and one line per conversation touched. */
export interface ConversationResult {
  deliveries: PendingDelivery[];
  audit: AuditEntry[];
  warnings: string[];
  conversations: { id: string; person: string; state: string; reason?: string }[];
}

/** What the stage needs from the run: the alerts with an ask policy, their chats, Duo, a durable commit and a deadline. */
export interface ConversationContext {
  alerts: ReadonlyMap<string, AlertBase & { ask: AskPolicy }>;
  /** The chat of an ask channel, or undefined when it cannot hold conversations (or is not configured). */
  chat(name: string): Promise<AskChannel | undefined>;
  /** The Duo client, or undefined when alertcron.yaml has no `duo:` section. */
  duo: DuoClient | undefined;
  /** How long Duo pushes may stay unanswered (ms); also how long a yes may wait for a Duo that keeps answering 429. */
  pushTimeout: number;
  /** What Duo's preauth `allow` (bypass) means: escalate (the default) or confirm without a push. */
  onBypass?: 'escalate' | 'confirm';
  /** Makes what happened so far durable (a kill after a question or a push then repeats at most that step). */
  commit(): Promise<void>;
  /** A fresh signal for one chat or Duo call, bounded by the stage's time. */
  signal(): AbortSignal;
  /** Whether the stage's time is up (the conversations not reached wait for the next run). */
  expired?(): boolean;
  now: number;
}

/**
 * Starts a conversation for each new ask request (unless one is open for the key, or a confirmed yes of the
 * person still quiets the alert), then moves every open conversation on: finds the person, asks, reads their
 * replies since the question, confirms a yes with a Duo push, and escalates a no, a failed 2FA, silence past
 * the deadline or an unknown person through the outbox.
 */
export async function conversationStage(data: StateData, requests: readonly AskRequest[], ctx: ConversationContext): Promise<ConversationResult> {
  const result: ConversationResult = { deliveries: [], audit: [], warnings: [], conversations: [] };
  data.conversations ??= [];
  for (const request of requests) {
    const alert = ctx.alerts.get(request.alert);
    if (!alert || openConversation(data.conversations, request.alert, request.key)) continue;
    const person = request.person ?? '';
    const quiet = person ? quietedBy(data.conversations, request.alert, person, ctx.now) : undefined;
    if (quiet) {
      result.audit.push({ event: 'ask_quiet', alert: request.alert, key: request.key, person, confirmedAt: quiet.closedAt, until: (quiet.closedAt ?? 0) + quiet.quietFor });
      continue;
    }
    const conversation: Conversation = {
      id: `${request.alert}/${request.key}`,
      alert: request.alert,
      key: request.key,
      person,
      channel: alert.ask.via,
      state: 'new',
      createdAt: ctx.now,
      deadline: deadlineAfter(ctx.now, alert.ask.deadline, alert.ask.working_hours),
      title: request.title,
      message: request.message,
      question: request.question,
      links: request.links,
      quietFor: alert.ask.quiet_after_yes,
      history: [{ at: ctx.now, state: 'new', note: `finding ${JSON.stringify(request.key)} names ${person ? JSON.stringify(person) : 'nobody'}` }],
      ...(alert.ask.two_factor ? { twoFactor: { username: duoUser(alert.ask, person) } } : {}),
    };
    data.conversations.push(conversation);
    result.audit.push({ event: 'conversation', alert: conversation.alert, key: conversation.key, person, to: 'new', note: conversation.history[0]!.note });
  }
  // Open conversations, and closed ones whose last words to the person could not be sent yet.
  const open = data.conversations.filter((c) => !isClosed(c) || c.outbox?.length);
  // Each person's chat is read once for all their open questions; each message goes to the one question it answers.
  const answers = await readAnswers([...data.conversations.filter((c) => isClosed(c)), ...open.filter((c) => ctx.alerts.has(c.alert))], ctx.chat, ctx.signal);
  const askedWhich = new Set<string>();
  for (const { questions } of answers.ambiguous) {
    if (askedWhich.has(questions[0]!.id)) continue;
    askedWhich.add(questions[0]!.id);
    say(questions[0]!, whichQuestion(questions));
  }
  for (const [i, conversation] of open.entries()) {
    const alert = ctx.alerts.get(conversation.alert);
    if (!alert) {
      // Its alert was deleted or lost its ask: nothing can escalate it, so every run says so until someone acts.
      if (!isClosed(conversation)) result.warnings.push(`conversation ${conversation.id}: its alert is deleted, disabled, invalid or has no ask: section this run, so it can neither be asked nor escalated: restore the alert (or tell the people yourself); it is forgotten once as old as state.prune_after`);
      continue;
    }
    if (ctx.expired?.()) {
      result.warnings.push(`${open.length - i} conversation(s) wait for the next run: the conversation stage used its time`);
      break;
    }
    const before = JSON.stringify(conversation);
    try {
      if (!isClosed(conversation)) await advance(conversation, alert.ask, ctx, result, answers.byConversation.get(conversation.id));
    } catch (error) {
      conversation.lastError = redact(errorMessage(error));
      result.warnings.push(`conversation ${conversation.id}: ${conversation.lastError}`);
    }
    await flushSaid(conversation, ctx, result);
    if (conversation.received) {
      conversation.received = conversation.received.filter((r) => conversation.state === 'asked' && Number(r.ref) > Number(conversation.readRef ?? 0));
      if (!conversation.received.length) delete conversation.received;
    }
    result.conversations.push({ id: conversation.id, person: conversation.person, state: conversation.state, ...(conversation.reason ? { reason: conversation.reason } : {}) });
    if (JSON.stringify(conversation) !== before) {
      for (const item of result.deliveries.splice(0)) {
        // An escalation of a key that fired again takes out its resolve still pending for that channel, as in runAlerts.
        for (const stale of queueNotice(data, item, ctx.now)) result.audit.push({ event: 'resolve_dropped', alert: stale.alert, key: stale.key, channel: stale.channel, id: stale.id, why: `the key fired again before this resolve was accepted (${item.reason} queued for the channel; the next resolved notice closes it)` });
      }
      await ctx.commit();
    }
  }
  return result;
}

/** One conversation's step(s) this run. */
async function advance(c: Conversation, ask: AskPolicy, ctx: ConversationContext, result: ConversationResult, answers: ConversationAnswers | undefined): Promise<void> {
  const step = (to: Conversation['state'], note: string, reason?: EscalationReason) => result.audit.push(moveTo(c, to, ctx.now, note, reason));
  const warn = (text: string) => result.warnings.push(`conversation ${c.id}: ${text}`);
  const escalate = (reason: EscalationReason, note: string, tell?: string) => {
    step('escalated', note, reason);
    const notice = escalationNotice(c);
    result.deliveries.push(...enqueue({ alert: c.alert, key: c.key, reason: `ask-${reason}`, title: notice.title, message: notice.message }, ask.escalate, ctx.now));
    if (tell && c.address) say(c, tell);
  };
  if (c.state === 'new') {
    if (!c.person) return escalate('unknown_person', `the finding has no value in ${ask.person}`);
    try {
      // Inside the try: a chat that cannot even be set up (e.g. its token is missing) still escalates at the deadline.
      const chat = await ctx.chat(c.channel);
      if (!chat) return escalate('unknown_person', `channel ${c.channel} cannot hold a private conversation`);
      const address = await chat.find(personRef(ask, c.person), ctx.signal());
      if (!address) return escalate('unknown_person', `${c.channel} does not know ${JSON.stringify(c.person)}`);
      c.address = address;
      const ref = await chat.say(address, questionText(c), ctx.signal());
      c.askedAt = ctx.now;
      c.questionRef = ref;
      c.readRef = ref;
      delete c.lastError;
      step('asked', `asked ${c.person} on ${c.channel}, answer due ${new Date(c.deadline).toISOString()}`);
    } catch (error) {
      c.lastError = redact(errorMessage(error));
      if (error instanceof PersonUnreachable) return escalate('unknown_person', c.lastError);
      if (ctx.now >= c.deadline) return escalate('no_answer', `could not be asked before the deadline (${c.lastError})`);
      result.warnings.push(`conversation ${c.id}: could not ask ${c.person} on ${c.channel} yet: ${c.lastError}`);
    }
    return;
  }
  if (c.state === 'asked') {
    if (answers?.error) {
      c.lastError = answers.error;
      result.warnings.push(`conversation ${c.id}: could not read ${c.person}'s replies on ${c.channel}: ${c.lastError}`);
    } else if (answers) delete c.lastError;
    let unclear = false;
    for (const reply of answers?.replies ?? []) {
      c.readRef = reply.ref;
      const verdict = parseAnswer(reply.text);
      if (!verdict) {
        unclear = true;
        continue;
      }
      // The reply's time comes from the chat server: one that is not a time is taken as now (it is read now).
      c.answer = { text: cutText(reply.text, 2000), at: serverTime(reply.at) ?? ctx.now, verdict };
      if (verdict === 'no') return escalate('said_no', `${c.person} answered no`, SAY.saidNo);
      step('answered_yes', `${c.person} answered yes`);
      return confirmYes(c, ctx, step, escalate, warn);
    }
    // Messages that answered other questions (or none) are read past too: they are not read again next run.
    if (answers?.readTo && Number(answers.readTo) > Number(c.readRef ?? 0)) c.readRef = answers.readTo;
    if (ctx.now >= c.deadline) return escalate('no_answer', `no yes or no from ${c.person} by ${new Date(c.deadline).toISOString()}`, SAY.noAnswer);
    if (unclear) say(c, SAY.again);
    return;
  }
  if (c.state === 'answered_yes') return confirmYes(c, ctx, step, escalate, warn);
  if (c.state === '2fa_pending') {
    const t = c.twoFactor!;
    const timedOut = ctx.now >= (t.pushedAt ?? ctx.now) + ctx.pushTimeout;
    if (!ctx.duo || !t.txid) return escalate('2fa_failed', 'no Duo configuration to read the push with', SAY.twoFactorFailed);
    try {
      const status = await ctx.duo.status(t.txid, ctx.signal());
      t.result = status.result;
      t.statusMsg = redactedExcerpt(status.statusMsg, 200);
      delete c.lastError;
      if (status.result === 'allow') {
        step('confirmed', `Duo push approved by ${t.username}`);
        say(c, SAY.confirmed);
        return;
      }
      // Duo ends an unanswered push itself (result deny, status timeout): nobody refused it.
      if (status.result === 'timeout') return escalate('2fa_timed_out', `the Duo push expired unanswered on Duo's side${t.statusMsg ? ` (${t.statusMsg})` : ''}`, SAY.twoFactorFailed);
      if (status.result === 'deny') return escalate('2fa_denied', `Duo push refused or failed: ${t.statusMsg || status.status}`, SAY.twoFactorFailed);
    } catch (error) {
      c.lastError = redact(errorMessage(error));
      result.warnings.push(`conversation ${c.id}: could not read the Duo push status: ${c.lastError}`);
    }
    if (timedOut) {
      t.result = 'timeout';
      return escalate('2fa_timed_out', `no answer to the Duo push within ${Math.round(ctx.pushTimeout / 1000)}s`, SAY.twoFactorFailed);
    }
  }
}

/** After a yes: closes it at once without 2FA, or checks enrollment and sends the Duo push. */
async function confirmYes(
  c: Conversation,
  ctx: ConversationContext,
  step: (to: Conversation['state'], note: string, reason?: EscalationReason) => void,
  escalate: (reason: EscalationReason, note: string, tell?: string) => void,
  warn: (text: string) => void,
): Promise<void> {
  const t = c.twoFactor;
  if (!t) {
    step('confirmed', 'a yes needs no 2FA for this alert');
    say(c, SAY.confirmedNo2fa);
    return;
  }
  if (!ctx.duo) return escalate('2fa_failed', 'alertcron.yaml has no duo: section', SAY.twoFactorFailed);
  // The yes is saved before Duo is called: a run killed during the push resumes from here, not from the reply.
  await ctx.commit();
  try {
    const pre = await ctx.duo.preauth(t.username, ctx.signal());
    t.statusMsg = redactedExcerpt(pre.statusMsg, 200);
    if (pre.result === 'enroll' || (pre.result === 'auth' && !pre.canPush)) {
      t.result = 'not enrolled';
      return escalate('not_enrolled', `Duo user ${t.username} has no device that can take a push (${pre.result})`, SAY.notEnrolled);
    }
    if (pre.result === 'deny') {
      t.result = 'deny';
      return escalate('2fa_denied', `Duo refuses ${t.username} (${t.statusMsg})`, SAY.twoFactorFailed);
    }
    if (pre.result === 'allow') {
      // Bypass or a permissive new-user policy: no second factor was asked. Only duo.on_bypass: confirm trusts it.
      t.result = 'allow (bypass)';
      const why = `Duo lets ${t.username} through without a push (preauth allow${t.statusMsg ? `: ${t.statusMsg}` : ''})`;
      if (ctx.onBypass === 'confirm') {
        step('confirmed', `${why}; accepted because duo.on_bypass is confirm`);
        say(c, SAY.confirmedNo2fa);
        return;
      }
      return escalate('2fa_not_enforced', `${why}; escalated because duo.on_bypass is escalate (the default)`, SAY.twoFactorNotEnforced);
    }
    t.txid = await ctx.duo.push(t.username, { from: 'alertcron', alert: cutText(c.title, 100) }, ctx.signal());
    t.pushedAt = ctx.now;
    t.result = 'waiting';
    step('2fa_pending', `Duo push sent to ${t.username}`);
    say(c, SAY.sendingPush);
  } catch (error) {
    const message = redact(errorMessage(error));
    const since = c.answer?.at ?? ctx.now;
    if ((error as { throttled?: unknown }).throttled === true && ctx.now < since + ctx.pushTimeout) {
      // Duo is rate-limiting even after the backoff: the yes stays saved and the next run tries again.
      c.lastError = message;
      warn(`Duo is rate-limiting (HTTP 429); the 2FA of ${c.person} is tried again next run: ${message}`);
      return;
    }
    t.result = 'error';
    t.statusMsg = cutText(message, 200);
    escalate('2fa_failed', message, SAY.twoFactorFailed);
  }
}

/** Queues a message to the person; flushSaid sends it (and retries it next run if the chat fails). */
function say(c: Conversation, text: string): void {
  (c.outbox ??= []).push(text);
}

/** Sends the messages queued for the person, keeping those the chat refused for the next run. */
async function flushSaid(c: Conversation, ctx: ConversationContext, result: ConversationResult): Promise<void> {
  if (!c.outbox?.length || !c.address) return;
  while (c.outbox.length) {
    try {
      // A chat that cannot be set up is one more refusal: it must not stop the stage (and its escalations' commit).
      const chat = await ctx.chat(c.channel);
      if (!chat) return;
      // Our own messages are not replies: each chat's replies() leaves out what the bot wrote.
      await chat.say(c.address, c.outbox[0]!, ctx.signal());
      c.outbox.shift();
    } catch (error) {
      result.warnings.push(`conversation ${c.id}: could not write to ${c.person} on ${c.channel}: ${redact(errorMessage(error))} (tried again next run)`);
      return;
    }
  }
  delete c.outbox;
}

/** The question as the person reads it: the rendered template and how to answer by when. */
function questionText(c: Conversation): string {
  return `${c.question}\n\nPlease reply yes or no (you may add a word of explanation) by ${new Date(c.deadline).toISOString().replace(/\.\d{3}Z$/, 'Z')}.`;
}

/** The person as the chat should look for them: the mapping file's entry, else the name itself (an email when it has @). */
function personRef(ask: AskPolicy, name: string): PersonRef {
  const entry = ask.people[name];
  const email = entry?.email ?? (name.includes('@') ? name : undefined);
  return { name, ...(email ? { email } : {}), ...(entry?.slack ? { slack: entry.slack } : {}), ...(entry?.telegram ? { telegram: entry.telegram } : {}) };
}

/** The Duo user name of a person: the mapping file's `duo`, else the name in the findings. */
function duoUser(ask: AskPolicy, name: string): string {
  return ask.people[name]?.duo ?? name;
}

/** A private message a chat's inbox read this run (the fields of the inbox's chat messages that conversations use). */
export type ReadMessage = ChatMessage;

/**
 * Keeps the private messages an inbox read this run (Telegram's one getUpdates) on the open conversations they
 * answer, before the inbox's cursor is stored: a run killed after the cursor moved on still has the reply.
 * Each message is kept on every asked conversation of that chat and person it is newer than (each one prunes its
 * own copy once it has read past it), so a conversation whose turn does not come this run still has it.
 * Messages of people with no open conversation on that channel are not kept. Returns how many messages were kept.
 */
export function keepReplies(data: StateData, messages: readonly ReadMessage[]): number {
  let kept = 0;
  for (const m of messages) {
    let keptHere = false;
    for (const c of data.conversations ?? []) {
      if (c.state !== 'asked' || c.channel !== m.channel || c.address?.chat !== m.chat || c.address.user !== m.user) continue;
      if (Number(m.messageId) <= Number(c.readRef ?? c.questionRef ?? 0) || (c.received ??= []).some((r) => r.ref === m.messageId)) continue;
      c.received.push({ text: cutText(m.text, 2000), at: m.date * 1000, ref: m.messageId, ...(m.replyTo ? { replyTo: m.replyTo } : {}) });
      keptHere = true;
    }
    if (keptHere) kept++;
  }
  return kept;
}

/** The kept private messages of one channel's conversations (each message once), as its ask channel reads replies from them. */
export function keptReplies(data: StateData, channel: string): { chat: string; user: string; text: string; at: number; ref: string; replyTo?: string }[] {
  const seen = new Set<string>();
  return (data.conversations ?? []).flatMap((c) => {
    if (c.channel !== channel || !c.address) return [];
    const { chat, user } = c.address;
    return (c.received ?? []).flatMap((r) => {
      const id = `${chat}\n${user}\n${r.ref}`;
      if (seen.has(id)) return [];
      seen.add(id);
      return [{ chat, user, ...r }];
    });
  });
}
