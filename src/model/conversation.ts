/** Where a conversation with the person an alert is about stands. */
export type ConversationState = 'new' | 'asked' | 'answered_yes' | '2fa_pending' | 'confirmed' | 'escalated';

/** Why a conversation was escalated to the security channels. */
export type EscalationReason = 'said_no' | '2fa_denied' | '2fa_timed_out' | '2fa_failed' | 'no_answer' | 'unknown_person' | 'not_enrolled' | '2fa_not_enforced';

/** Words for each escalation reason, as notices and `status` show them. */
export const ESCALATION_REASONS: Record<EscalationReason, string> = {
  said_no: 'said no',
  '2fa_denied': '2FA denied',
  '2fa_timed_out': '2FA timed out',
  '2fa_failed': '2FA could not be started',
  no_answer: 'no answer by the deadline',
  unknown_person: 'unknown person',
  not_enrolled: 'not enrolled in 2FA',
  '2fa_not_enforced': '2FA not enforced for this user',
};

/** One step of a conversation, for `status` and the escalation notice. */
export interface ConversationStep {
  at: number;
  state: ConversationState;
  note: string;
}

/** Where the person is in the chat, found when the conversation began. */
export interface ChatAddress {
  /** The person's id in the chat (a Slack user id, a Telegram user id). */
  user: string;
  /** The private chat with them (a Slack DM channel, a Telegram chat id). */
  chat: string;
}

/** A conversation with the person a finding is about: asked in chat, confirmed with 2FA, or escalated. */
export interface Conversation {
  /** `<alert>/<key>`: one conversation per finding key at a time. */
  id: string;
  alert: string;
  key: string;
  /** The person as the finding names them (an email or a user name). */
  person: string;
  /** The chat channel asked on. */
  channel: string;
  state: ConversationState;
  reason?: EscalationReason;
  createdAt: number;
  /** When an unanswered question escalates (working hours already counted in). */
  deadline: number;
  askedAt?: number;
  address?: ChatAddress;
  /** The question as a position in the chat (a Slack ts, a Telegram message id): replies after it count. */
  questionRef?: string;
  /** What the chat has been read up to (replies after the question). */
  readRef?: string;
  /** The original alert's notice, rendered when the finding was seen. */
  title: string;
  message: string;
  question: string;
  links: string[];
  /** Whether a yes needs a second factor; the Duo user name when it does. */
  twoFactor?: { username: string; txid?: string; pushedAt?: number; result?: string; statusMsg?: string };
  answer?: { text: string; at: number; verdict: 'yes' | 'no' };
  /** How long a confirmed yes quiets the same alert for this person (ms). */
  quietFor: number;
  /** Private messages of the person that a chat's inbox read (Telegram's getUpdates), kept until this conversation reads past them. */
  received?: { text: string; at: number; ref: string; replyTo?: string }[];
  /** Messages to the person that could not be sent yet; tried again next run. */
  outbox?: string[];
  history: ConversationStep[];
  lastError?: string;
  closedAt?: number;
}

/** Whether a conversation is over (confirmed or escalated). */
export function isClosed(conversation: Pick<Conversation, 'state'>): boolean {
  return conversation.state === 'confirmed' || conversation.state === 'escalated';
}
