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
}
