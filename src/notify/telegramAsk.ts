import type { ChatAddress } from '../model/conversation.js';
import { sendPlain, type TelegramBot } from './telegramApi.js';
import { isUnreachableChat } from './telegramChatId.js';
import { cleanText } from '../util/text.js';
import { PersonUnreachable, type AskChannel, type ChatReply, type PersonRef } from './types.js';

/** A private message to the bot, as the run's one getUpdates call read it (kept in the state until consumed). */
export interface PrivateMessage {
  /** The private chat's id (the same as the sender's user id). */
  chat: string;
  user: string;
  text: string;
  /** When it was written (epoch ms). */
  at: number;
  /** Its message id. */
  ref: string;
  /** The message id it replies to, if any. */
  replyTo?: string;
}

/**
 * A Telegram bot's private conversations: a person is known by their numeric user id (their private chat with
 * the bot has the same id, once they have started it), messages are plain text (no parse mode, so nothing is
 * markup), and replies come from the private messages the bot's inbox read in this run (no second getUpdates).
 */
export function createTelegramAskChannel(bot: TelegramBot, messages: () => readonly PrivateMessage[]): AskChannel {
  return {
    async find(person: PersonRef): Promise<ChatAddress | undefined> {
      if (!person.telegram || !/^\d+$/.test(person.telegram)) return undefined;
      return { user: person.telegram, chat: person.telegram };
    },
    async say(address: ChatAddress, text: string, signal: AbortSignal): Promise<string> {
      try {
        return String(await sendPlain(bot, address.chat, cleanText(text), {}, signal));
      } catch (error) {
        // 403: the person never started the bot or blocked it; 400 chat not found: no such private chat.
        if (isUnreachableChat(error)) {
          throw new PersonUnreachable(`Telegram cannot write to user ${address.user}: ${error.description || error.status} (they must start a private chat with the bot first)`);
        }
        throw error;
      }
    },
    async replies(address: ChatAddress, after: string): Promise<ChatReply[]> {
      return messages()
        .filter((m) => m.chat === address.chat && m.user === address.user && Number(m.ref) > Number(after))
        .sort((a, b) => Number(a.ref) - Number(b.ref))
        .map((m) => ({ text: m.text, at: m.at, ref: m.ref, ...(m.replyTo ? { replyTo: m.replyTo } : {}) }));
    },
  };
}
