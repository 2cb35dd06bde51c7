import type { AuditEntry } from '../model/audit.js';
import { ESCALATION_REASONS, type Conversation, type ConversationState, type EscalationReason } from '../model/conversation.js';
import { oneLine } from '../util/text.js';

/** The moves a conversation may make; anything else is a bug and throws. */
const ALLOWED: Record<ConversationState, ConversationState[]> = {
  new: ['asked', 'escalated'],
  asked: ['answered_yes', 'escalated'],
  answered_yes: ['2fa_pending', 'confirmed', 'escalated'],
  '2fa_pending': ['confirmed', 'escalated'],
  confirmed: [],
  escalated: [],
};

/** What the person is told at each step (plain text; each chat escapes it). */
export const SAY = {
  confirmedNo2fa: 'Thank you, noted. Nothing more to do.',
  sendingPush: 'Thank you. To confirm it was you, approve the Duo push just sent to your phone.',
  confirmed: 'Confirmed with 2FA, thank you. Nothing more to do.',
  notEnrolled: 'You have no 2FA device that can take a push, so the security team has been told and will follow up.',
  saidNo: 'Thank you for telling us. The security team has been told and will contact you.',
  twoFactorFailed: 'The 2FA confirmation did not succeed, so the security team has been told and will follow up.',
  twoFactorNotEnforced: 'Thank you. Duo does not ask you for a second factor, so the security team has been told and will follow up.',
  noAnswer: 'No answer came by the deadline, so the security team has been told.',
  again: 'Sorry, I did not understand. Please answer yes or no.',
} as const;

/**
 * What the person is told when a bare yes or no came while several of their questions were open: which questions
 * they are (each one's first line, as asked) and how to answer one, so one answer never settles two questions.
 */
export function whichQuestion(questions: readonly Pick<Conversation, 'question' | 'askedAt'>[]): string {
  const list = questions.map((q, i) => `${i + 1}. ${oneLine(q.question.split('\n')[0] ?? '', 200)}${q.askedAt ? ` (asked ${new Date(q.askedAt).toISOString().replace(/\.\d{3}Z$/, 'Z')})` : ''}`);
  return [`You have ${questions.length} open questions, so I cannot tell which one that answer is for. Please reply to the question itself (Reply in Telegram, Reply in thread in Slack) with yes or no:`, ...list].join('\n');
}

/**
 * Moves a conversation to a new state, recording the step in its history, and returns the audit line. An
 * escalation carries its reason; a closed conversation gets its closing time.
 */
export function moveTo(conversation: Conversation, to: ConversationState, now: number, note: string, reason?: EscalationReason): AuditEntry {
  if (!ALLOWED[conversation.state].includes(to)) throw new Error(`conversation ${conversation.id}: cannot go from ${conversation.state} to ${to}`);
  const from = conversation.state;
  conversation.state = to;
  if (reason) conversation.reason = reason;
  if (to === 'confirmed' || to === 'escalated') conversation.closedAt = now;
  const text = reason ? `${ESCALATION_REASONS[reason]}: ${note}` : note;
  conversation.history.push({ at: now, state: to, note: text });
  return { event: 'conversation', alert: conversation.alert, key: conversation.key, person: conversation.person, from, to, ...(reason ? { reason } : {}), note: text };
}

/** Whether a confirmed yes of this person still quiets new findings of this alert. */
export function quietedBy(conversations: readonly Conversation[], alert: string, person: string, now: number): Conversation | undefined {
  return conversations.find((c) => c.alert === alert && c.person === person && c.state === 'confirmed' && (c.closedAt ?? 0) + c.quietFor > now);
}

/** The open conversation of a finding key, if there is one. */
export function openConversation(conversations: readonly Conversation[], alert: string, key: string): Conversation | undefined {
  return conversations.find((c) => c.alert === alert && c.key === key && c.state !== 'confirmed' && c.state !== 'escalated');
}
