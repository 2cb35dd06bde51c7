import type { Receipt } from '../model/receipt.js';

/** What one channel is asked to send: already rendered from templates, still raw (each channel escapes for itself). */
export interface Notification {
  alert: string;
  key: string;
  reason: string;
  title: string;
  message: string;
  /** Recipients that replace the channel's own: a case's reporter, or those a server refused for now (validated). */
  to?: string[];
  /** The chat actions the notice offers (its alert's source's): channels that can read show them. */
  actions?: import('../model/operation.js').NoticeAction[];
  /** The notice's short opaque reference, carried by its buttons and text commands. */
  ref?: string;
  /** The finding's scalar fields as dotted paths (kept with the pending notice), for channels that map fields (observables, labels). */
  labels?: Record<string, string>;
  /** The finding's fields its labels leave out, whole (values up to 8,192 characters, lists as lists), for channels that map fields. */
  values?: Record<string, string | string[]>;
  /** The window of the run that found it (a digest: its period), for channels that derive a dedupe reference from it. */
  window?: import('../model/window.js').Window;
  /** A digest notice's summary table, for channels that render tables (the message says it in plain text too). */
  digest?: import('../model/digest.js').DigestTable;
  /**
   * Every notice of a key but a first or a digest: the receipt of the latest notice of the same alert and key this
   * channel accepted (not a resolve, not a digest), for a resolve before it was queued, for a repeat or tier within
   * the key's current episode (after its last resolve): what it opened (a Jira issue's key, an Alertmanager alert's
   * labels), while the state still keeps it (`state.prune_after`); unset when it does not.
   */
  opened?: import('../model/receipt.js').Receipt;
}

/** A channel ready to send: one attempt per call; retries live in the outbox. */
export interface Notifier {
  name: string;
  /** Sends once; resolves with what the provider gave back (message id, chat, thread), or throws a DeliveryError. */
  send(notification: Notification, signal: AbortSignal): Promise<Receipt | void>;
  /**
   * How many sends the channel can have in flight (e.g. its pooled SMTP connections): the outbox waits for a
   * free one before it starts an attempt's timer, so the timer measures the send, not a queue. Unset: no limit.
   */
  slots?: number;
  /** The record an accepted send of this notice adds to the audit log beside `delivered` (the log channel: the notice itself). */
  audit?(notification: Notification): import('../model/audit.js').AuditEntry;
  /** Releases what the notifier keeps open between sends (e.g. pooled SMTP connections). */
  close?(): void;
}

/**
 * A failed send, telling whether trying again may help, how long the other side asked us to wait, whether
 * only a later run can help (`nextRunOnly`: e.g. a secret that is not set; no retry within this run), and who
 * still needs it (`remainingTo`: some recipients accepted it).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly nextRunOnly = false,
    /** Some recipients accepted it: only these still need it (email channels, a bot's chats). */
    readonly remainingTo?: string[],
    /** What the recipients that accepted it gave back (a bot's messages in the chats that got it). */
    readonly partial?: Receipt,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Something a person did in chat, read by a channel's inbox: the operation asked for, by whom, from where. */
export interface ChatAction {
  /** Unique per press, command or reaction (scoped by channel: `tg:<channel>:<update_id>`, `slack:<channel>:<ts>:<reaction>:<user>`): applied once. */
  id: string;
  /** The operation, in the operations module's terms (ack, silence, ignore, promote, act ...). */
  request: import('../model/operation.js').OperationRequest;
  /** The chat the action came from (for allow-lists and answers). */
  chat: string;
  /** The sent notice it answers, when it was a button or a reply (its id in the state's `sent`). */
  notice?: string;
  /** The notice action it performs (its name), to recompute what the notice offers afterwards. */
  action?: string;
  /** What the channel needs to answer it (press id, message to edit, thread to reply in): opaque to the run. */
  reply?: unknown;
}

/** What came of a chat action, for the channel to tell the person (answer the press, edit the notice, confirm in the thread). */
export interface ChatOutcome {
  action: ChatAction;
  ok: boolean;
  message: string;
  /** When the action was applied (an answer owed may be told by a later run). */
  at?: number;
  /** What the notice offers now (buttons to show after the action). */
  offers?: import('../model/operation.js').NoticeAction[];
  /** The notice re-rendered from the item as the source sees it now (after a Refresh). */
  rendered?: { title: string; message: string };
}

/** A plain text message a person sent the bot in a private chat (for another consumer of the same run's read). */
export interface ChatMessage {
  channel: string;
  user: string;
  chat: string;
  text: string;
  /** Unix seconds, as the chat service gave it. */
  date: number;
  messageId: string;
  /** The message it replies to (its id), if any. */
  replyTo?: string;
}

/** What one read of a channel's inbox found. */
export interface InboxRead {
  actions: ChatAction[];
  /** The cursor after everything read: stored only once the actions' effects are saved. */
  cursor: unknown;
  /** More is waiting after this cursor (a full page): the stage reads again if its time allows, else the next run does. */
  more?: boolean;
  /** Audit lines of what was not turned into an action (strangers' presses, banned chats, allow-list changes). */
  audit?: import('../model/audit.js').AuditEntry[];
  /** Plain text messages received in private chats (each read once per run: one getUpdates per bot). */
  messages?: ChatMessage[];
  /** Things the run should say on stderr (e.g. a second poller of the same bot). */
  warnings?: string[];
}

/** What a reader may look at and change while reading: the run's state (its chats, its sent notices) and the time. */
export interface InboxContext {
  data: import('../model/state.js').StateData;
  now: number;
}

/** A channel that can also read: returns the actions since a cursor it defined, and the cursor after them. */
export interface InboxReader {
  read(cursor: unknown, signal: AbortSignal, context: InboxContext): Promise<InboxRead>;
  /**
   * Tells people what came of their actions (never throws): warnings for what could not be told, and the ids of the
   * actions still owed an answer (the service failed for now, or the signal ended first): the run keeps those and asks again.
   */
  respond?(outcomes: ChatOutcome[], signal: AbortSignal, context: InboxContext): Promise<ChatAnswers>;
}

/** What answering chat actions came to: warnings, and the ids of the actions whose answer is still owed. */
export interface ChatAnswers {
  warnings: string[];
  owed: string[];
}

/** The person to find in a chat: their name in the findings and what the `ask.people` file says about them. */
export interface PersonRef {
  name: string;
  email?: string;
  slack?: string;
  telegram?: string;
}

/** A message the person wrote in their private chat with alertcron, after the question. */
export interface ChatReply {
  text: string;
  /** When it was written (epoch ms). */
  at: number;
  /** Its position in the chat, to read on from (a Slack ts, a Telegram message id). */
  ref: string;
  /** The message it replies to (a Telegram reply's message id, the Slack thread it was written in), if any. */
  replyTo?: string;
}

/** A chat channel that can hold a private conversation (a Slack app, a Telegram bot): find, say, read replies. */
export interface AskChannel {
  /** The person's private chat, or undefined when the chat does not know them (they are escalated at once). */
  find(person: PersonRef, signal: AbortSignal): Promise<import('../model/conversation.js').ChatAddress | undefined>;
  /** Posts a plain-text message (escaped by the channel) in the private chat; resolves with its position. */
  say(address: import('../model/conversation.js').ChatAddress, text: string, signal: AbortSignal): Promise<string>;
  /**
   * The person's own messages in the private chat after position `after`, oldest first, including those written as
   * replies to the messages at `threads` (a Slack thread) where the chat keeps them apart.
   */
  replies(address: import('../model/conversation.js').ChatAddress, after: string, signal: AbortSignal, threads?: readonly string[]): Promise<ChatReply[]>;
}

/** The chat cannot reach the person at all (a Telegram user who never started the bot, a blocked bot): escalated as unknown. */
export class PersonUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonUnreachable';
  }
}
