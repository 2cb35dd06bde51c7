import { parseAnswer } from './answer.js';

/** An open question in one private chat: where it was asked and what its conversation has read up to. */
export interface OpenQuestion {
  id: string;
  /** The question's position in the chat (a Slack ts, a Telegram message id). */
  questionRef: string;
  /** What its conversation has read up to; replies at or before it were handled already. */
  readRef: string;
}

/** A message the person wrote in the chat, and the message it replies to (a Telegram reply, a Slack thread), if any. */
export interface ChatAnswer {
  text: string;
  ref: string;
  replyTo?: string;
}

/** Where each message went: the replies of each question, in order, and the bare answers that fit several questions. */
export interface RoutedAnswers<R extends ChatAnswer> {
  byQuestion: Map<string, R[]>;
  /** Bare messages written while several questions were open: nobody's answer; the person is asked which. */
  ambiguous: { reply: R; questions: string[] }[];
}

const position = (ref: string) => Number(ref);

/**
 * Gives each message of a private chat to the one question it answers: a reply to a question (or in its thread)
 * answers that question; a bare message answers the only question open when it was written (asked before it
 * and not yet answered yes or no by an earlier message); a bare message written while several were open answers
 * none of them, nor does a reply to a question that is closed (`closedRefs`). A question takes messages after what
 * its conversation already read, up to its first yes or no.
 */
export function routeAnswers<R extends ChatAnswer>(questions: readonly OpenQuestion[], replies: readonly R[], closedRefs: ReadonlySet<string> = new Set()): RoutedAnswers<R> {
  const byQuestion = new Map<string, R[]>(questions.map((q) => [q.id, []]));
  const ambiguous: RoutedAnswers<R>['ambiguous'] = [];
  const settled = new Set<string>();
  const give = (q: OpenQuestion, reply: R) => {
    if (settled.has(q.id) || position(reply.ref) <= position(q.readRef)) return;
    byQuestion.get(q.id)!.push(reply);
    if (parseAnswer(reply.text)) settled.add(q.id);
  };
  for (const reply of [...replies].sort((a, b) => position(a.ref) - position(b.ref))) {
    const target = reply.replyTo === undefined ? undefined : questions.find((q) => q.questionRef === reply.replyTo);
    if (target) {
      give(target, reply);
      continue;
    }
    if (reply.replyTo !== undefined && closedRefs.has(reply.replyTo)) continue;
    const open = questions.filter((q) => !settled.has(q.id) && position(q.questionRef) < position(reply.ref));
    if (open.length === 1) give(open[0]!, reply);
    else if (open.length > 1 && open.some((q) => position(reply.ref) > position(q.readRef))) ambiguous.push({ reply, questions: open.map((q) => q.id) });
  }
  return { byQuestion, ambiguous };
}
