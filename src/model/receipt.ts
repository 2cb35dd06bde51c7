/** What a provider gave back for an accepted message, so a later run can tie a reply or a press to it. */
export interface Receipt {
  /** The provider's message id (Telegram message_id, Twilio SID, SMTP Message-ID, Slack ts ...). */
  id?: string;
  /** The conversation it went to (Telegram chat id, Slack channel ...). */
  chat?: string;
  /** The thread it started or joined, where the provider has threads. */
  thread?: string;
  /** Every message when one notice went to several chats (a Telegram bot's allowed chats): chat and message id. */
  messages?: { chat: string; id: string }[];
  /**
   * What the channel needs later to renew or close what this notice opened, beyond `id` (an Alertmanager alert's
   * labels): small (the channel keeps it under 4 KB), no secret; handed back as `opened` on the key's later repeats
   * and tiers of the same episode and on its resolved notice.
   */
  detail?: Record<string, string>;
}

/** Every message of a receipt (its first, then the others), each with its chat and id. */
function messagesIn(receipt: Receipt | undefined): { chat: string; id: string }[] {
  if (!receipt) return [];
  const first = receipt.chat !== undefined && receipt.id !== undefined ? [{ chat: receipt.chat, id: receipt.id }] : [];
  const rest = (receipt.messages ?? []).filter((m) => !first.some((f) => f.chat === m.chat && f.id === m.id));
  return [...first, ...rest];
}

/** One receipt for a notice sent in parts (some chats in an earlier attempt, the rest later): every message kept. */
export function mergeReceipts(earlier: Receipt | undefined, later: Receipt | undefined): Receipt | undefined {
  if (!earlier) return later;
  if (!later) return earlier;
  const messages = [...messagesIn(earlier), ...messagesIn(later)];
  const [first] = messages;
  if (!first) return { ...earlier, ...later };
  return { ...earlier, ...later, chat: first.chat, id: first.id, ...(messages.length > 1 ? { messages } : {}) };
}
