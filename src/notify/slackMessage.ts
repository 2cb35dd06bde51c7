import type { SlackMessage } from './slackApi.js';
import { isPlainObject } from '../util/plainMap.js';

const optionalText = (value: unknown) => value === undefined || typeof value === 'string';

/**
 * Checks one message from conversations.history or .replies against the fields alertcron reads (a ts of digits,
 * text fields as text, a reply count as a number, reactions as names with lists of user ids): undefined when it
 * is usable, else why not. One bad message is left out; the others still count.
 */
export function slackMessageProblem(raw: unknown): string | undefined {
  if (!isPlainObject(raw)) return 'a message is not an object';
  if (typeof raw.ts !== 'string' || !/^\d{1,12}(\.\d{1,9})?$/.test(raw.ts)) return 'a message has no usable ts';
  for (const key of ['user', 'bot_id', 'subtype', 'text', 'thread_ts', 'latest_reply']) if (!optionalText(raw[key])) return `message ${raw.ts}: ${key} is not text`;
  if (raw.reply_count !== undefined && !(typeof raw.reply_count === 'number' && Number.isSafeInteger(raw.reply_count) && raw.reply_count >= 0)) return `message ${raw.ts}: reply_count is not a count`;
  if (raw.reactions === undefined) return undefined;
  if (!Array.isArray(raw.reactions)) return `message ${raw.ts}: reactions is not a list`;
  for (const reaction of raw.reactions) {
    if (!isPlainObject(reaction) || typeof reaction.name !== 'string') return `message ${raw.ts}: a reaction has no name`;
    if (reaction.users !== undefined && !(Array.isArray(reaction.users) && reaction.users.every((u) => typeof u === 'string'))) return `message ${raw.ts}: a reaction's users are not a list of ids`;
  }
  return undefined;
}

/** The usable messages of a page (in order), with the problems of those left out. */
export function usableMessages(page: unknown, skipped: string[]): SlackMessage[] {
  if (page === undefined) return [];
  if (!Array.isArray(page)) {
    skipped.push('messages is not a list');
    return [];
  }
  return page.filter((m) => {
    const problem = slackMessageProblem(m);
    if (problem) skipped.push(problem);
    return !problem;
  }) as SlackMessage[];
}
