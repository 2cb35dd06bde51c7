import { isClosed, type Conversation } from '../model/conversation.js';
import type { AskChannel, ChatReply } from '../notify/types.js';
import { routeAnswers } from '../policy/answerRoute.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** What one conversation got from its chat this run: its own replies and how far the chat was read, or why it could not be read. */
export interface ConversationAnswers {
  replies: ChatReply[];
  /** The last position read in the person's chat (every open question of theirs has seen up to here). */
  readTo?: string;
  error?: string;
}

/** The answers of this run: per conversation, and the bare messages that fit several open questions (with those questions, oldest first). */
export interface ReadAnswersResult {
  byConversation: Map<string, ConversationAnswers>;
  ambiguous: { questions: Conversation[] }[];
}

/**
 * Reads each person's private chat once for all their open questions on it, and gives every message to the one
 * question it answers (routeAnswers): a reply to a question settles that question only; a bare answer while
 * several questions are open settles none and is returned as ambiguous, for the person to be asked which.
 */
export async function readAnswers(conversations: readonly Conversation[], chatOf: (name: string) => Promise<AskChannel | undefined>, signal: () => AbortSignal): Promise<ReadAnswersResult> {
  const result: ReadAnswersResult = { byConversation: new Map(), ambiguous: [] };
  const chatKey = (c: Conversation) => `${c.channel}\n${c.address?.chat}\n${c.address?.user}`;
  const groups = new Map<string, Conversation[]>();
  for (const c of conversations) {
    if (c.state !== 'asked' || !c.address || c.questionRef === undefined) continue;
    groups.set(chatKey(c), [...(groups.get(chatKey(c)) ?? []), c]);
  }
  for (const [key, group] of groups) {
    const byRef = (a: Conversation, b: Conversation) => Number(a.questionRef) - Number(b.questionRef);
    group.sort(byRef);
    const first = group[0]!;
    try {
      // Inside the try: a chat that fails to set up every run must not keep the deadline from escalating.
      const chat = await chatOf(first.channel);
      const after = group.map((c) => c.readRef ?? c.questionRef!).reduce((a, b) => (Number(b) < Number(a) ? b : a));
      const replies = chat ? await chat.replies(first.address!, after, signal(), group.map((c) => c.questionRef!)) : [];
      const closedRefs = new Set(conversations.filter((c) => isClosed(c) && chatKey(c) === key && c.questionRef !== undefined).map((c) => c.questionRef!));
      const routed = routeAnswers(
        group.map((c) => ({ id: c.id, questionRef: c.questionRef!, readRef: c.readRef ?? c.questionRef! })),
        replies,
        closedRefs,
      );
      const readTo = replies.length ? replies.reduce((a, b) => (Number(b.ref) > Number(a.ref) ? b : a)).ref : undefined;
      for (const c of group) result.byConversation.set(c.id, { replies: routed.byQuestion.get(c.id) ?? [], ...(readTo ? { readTo } : {}) });
      for (const { questions } of routed.ambiguous) result.ambiguous.push({ questions: group.filter((c) => questions.includes(c.id)) });
    } catch (error) {
      const message = redact(errorMessage(error));
      for (const c of group) result.byConversation.set(c.id, { replies: [], error: message });
    }
  }
  return result;
}
