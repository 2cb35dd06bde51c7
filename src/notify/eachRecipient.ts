import type { Receipt } from '../model/receipt.js';
import { DeliveryError } from './types.js';

/**
 * The recipients a notice goes to on a channel with several (Twilio numbers): those an earlier, partly failed
 * attempt still owes it to that are still configured; else every configured one. Entries of `owed` that are not
 * of this channel's kind (`isOwn`: e.g. a case reporter's mail address) are not owed by it.
 */
export function owedRecipients(configured: readonly string[], owed: readonly string[] | undefined, isOwn: (to: string) => boolean): string[] {
  const own = owed?.filter(isOwn);
  return own?.length ? own.filter((to) => configured.includes(to)) : [...configured];
}

/**
 * Sends a notice to each recipient in turn and records it per recipient: resolves with the receipt of all (each
 * recipient's message id) when every one accepted it; otherwise throws a DeliveryError that names only the
 * recipients a retry may still reach (`remainingTo`, with the receipt of those that got it in `partial`), so a
 * later attempt never repeats it to a recipient that already has it. Permanent refusals are reported and dropped.
 */
export async function sendToEach(recipients: readonly string[], sendOne: (to: string) => Promise<string>, classify: (error: unknown) => DeliveryError): Promise<Receipt> {
  const messages: { chat: string; id: string }[] = [];
  const owed: string[] = [];
  const refused: string[] = [];
  let lastFailure: DeliveryError | undefined;
  let retryAfterMs: number | undefined;
  for (const to of recipients) {
    try {
      messages.push({ chat: to, id: await sendOne(to) });
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : classify(error);
      lastFailure = failure;
      if (failure.retryable) {
        owed.push(to);
        retryAfterMs = Math.max(retryAfterMs ?? 0, failure.retryAfterMs ?? 0) || undefined;
      } else refused.push(to);
    }
  }
  const [first] = messages;
  const receipt: Receipt = first ? { id: first.id, chat: first.chat, ...(messages.length > 1 ? { messages } : {}) } : {};
  if (!lastFailure) return receipt;
  // Every recipient failed alike: the error as it is (retried for all, or dropped for all).
  if (!messages.length && (!owed.length || !refused.length)) throw lastFailure;
  const told = refused.length ? `; refused for good: ${refused.join(', ')}` : '';
  const summary = `${lastFailure.message} (${owed.length} of ${recipients.length} recipients still owed${told})`;
  if (!owed.length) {
    // Those that could get it did; the refused ones are reported once and dropped.
    throw new DeliveryError(summary, false, undefined, false, undefined, receipt);
  }
  throw new DeliveryError(summary, true, retryAfterMs, false, owed, messages.length ? receipt : undefined);
}

/** Whether a recipient is a phone number in E.164 form (+ and digits), as Twilio channels list them. */
export function isPhoneNumber(to: string): boolean {
  return /^\+\d{2,15}$/.test(to);
}
