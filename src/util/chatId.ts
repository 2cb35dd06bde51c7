/**
 * The lowest chat id Telegram gives (its Bot API "dialog ids", core.telegram.org/api/bots/ids: "a bot
 * API dialog ID ranges from -4000000000000 to 1099511627775"); 0 is no chat.
 */
export const MIN_CHAT_ID = -4_000_000_000_000;
/** The highest chat id Telegram gives (a user's private chat: user ids stay below 2^40). */
export const MAX_CHAT_ID = 1_099_511_627_775;

/** Whether text is a chat id Telegram could have: a whole number written plainly (no `+`, leading zero or `-0`), not 0, in Telegram's range. */
export function isChatId(text: string): boolean {
  if (!/^-?[1-9]\d{0,15}$/.test(text)) return false;
  const id = Number(text);
  return id >= MIN_CHAT_ID && id <= MAX_CHAT_ID;
}
