import { chatsOf, type StateData } from '../model/state.js';
import type { TelegramChannelConfig } from './config.js';
import type { AdminWork } from './telegramAdmin.js';
import { callTelegram, sendPlain } from './telegramApi.js';
import { queueChatChange } from './telegramChatChanges.js';
import { isUnreachableChat } from './telegramChatId.js';
import { clockFromEnv } from '../util/clock.js';
import { inertForChat as inert } from './text.js';
import { oneLine } from '../util/text.js';

/** What the administrator should do about a chat the bot cannot reach. */
const HOW = 'a person must send /start to the bot first; for a group, add the bot to it; then ask again';

/** Telegram's description of a failure, inert and cut short for a message to the administrator. */
function described(error: { description: string }): string {
  return inert(oneLine(error.description, 200));
}

/**
 * Confirms the chats just accepted (`work.verify`) with Telegram's getChat before the administrator is answered:
 * one Telegram does not know for this bot (400 "chat not found", 403) is taken off the allow-list again and the
 * answer says so; one that could not be checked now stays allowed, and the answer says that too.
 */
export async function confirmAccepted(data: StateData, name: string, config: TelegramChannelConfig, work: AdminWork, said: string | undefined, signal: AbortSignal): Promise<string | undefined> {
  const ids = work.verify?.splice(0) ?? [];
  let answer = said;
  for (const id of ids) {
    try {
      await callTelegram(config, 'getChat', { chat_id: id }, signal);
    } catch (error) {
      if (!isUnreachableChat(error)) {
        answer = `${answer ?? ''} (Telegram could not confirm chat ${id} now: ${inert(oneLine((error as Error).message, 200))})`;
        continue;
      }
      delete chatsOf(data, name).allowed[id];
      work.audit.push({ event: 'chat_allow_list', change: 'unreachable', chat: id, why: error.description });
      answer = `chat ${id} is not allowed: Telegram answered "${described(error)}" (${HOW})`;
    }
  }
  return answer;
}

/**
 * A delivery to an allowed chat that Telegram says the bot cannot reach (blocked, kicked, 400 "chat not found"):
 * the chat leaves the allow-list (queued for the coordinator with the partitioned cluster store) and the
 * administrator is told once, in their chat (best effort). The channel's
 * own chat_id stays (it is set in alertcron.yaml).
 */
export async function dropUnreachable(data: StateData | undefined, name: string, config: TelegramChannelConfig, chat: string, error: unknown, signal: AbortSignal): Promise<void> {
  if (!data || !isUnreachableChat(error) || chat === String(config.chat_id)) return;
  const entry = chatsOf(data, name).allowed[chat];
  if (!entry) return;
  delete chatsOf(data, name).allowed[chat];
  // With the partitioned cluster store only the coordinator writes the chats: the change is queued for it, once; a
  // host that finds it queued already (another delivery met the same chat) does not tell the administrator again.
  if (!queueChatChange(data, name, { change: 'unreachable', id: chat }, clockFromEnv()())) return;
  if (!config.admin_chat_id) return;
  try {
    await sendPlain(config, config.admin_chat_id, `${inert(entry.title)} (${chat}) was taken off the allowed chats: Telegram answered "${described(error)}" to an alert (${HOW})`, {}, signal);
  } catch {
    // The administrator's chat itself may be unreachable: the delivery's own error is reported by the run.
  }
}
