import { request } from '../http/post.js';
import { redact } from '../util/redact.js';
import { usableMessages } from './slackMessage.js';
import { httpFailure, networkFailure, retryAfterHeader } from './httpFailure.js';
import { DeliveryError } from './types.js';
import { oneLine } from '../util/text.js';

/** Where a Slack app's Web API is and how long one call may take. */
export interface SlackApp {
  /** Web API base, https://slack.com/api by default (a test server in tests). */
  api_url: string;
  bot_token: string;
  timeout: number;
}

/** Slack's error codes that no retry can fix but the configuration can (token, scopes, channel). */
const PERMANENT = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope', 'channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long', 'no_text', 'invalid_blocks', 'invalid_arguments', 'thread_not_found', 'message_not_found', 'cant_update_message', 'edit_window_closed', 'users_not_found', 'user_not_found', 'user_not_visible', 'user_disabled', 'restricted_action', 'ekm_access_denied', 'team_access_not_granted']);

/** A Web API call that failed: Slack's error code (ok:false), or the HTTP status (429, 5xx), and a Retry-After. */
export class SlackApiError extends DeliveryError {
  constructor(
    readonly method: string,
    /** Slack's `error` code (`channel_not_found`, `ratelimited` ...), or `http_<status>`. */
    readonly code: string,
    retryable: boolean,
    retryAfterMs?: number,
    detail = '',
  ) {
    super(`Slack ${method} failed: ${code}${detail ? ` (${detail})` : ''}`, retryable, retryAfterMs);
    this.name = 'SlackApiError';
  }
}

/**
 * Calls one Web API method with the bot token (POST JSON, or GET with a query string for the read methods that
 * take one) and returns the whole answer when `ok` is true. Every failure is a SlackApiError, a DeliveryError
 * that says whether a retry may help: 429 (with its Retry-After) and 5xx are retryable, as are unknown
 * `ok:false` codes; the codes in PERMANENT are not. The token never appears in errors.
 */
export async function callSlack<T extends Record<string, unknown> = Record<string, unknown>>(
  app: SlackApp,
  method: string,
  params: Record<string, string | number | boolean | unknown[] | Record<string, unknown> | undefined>,
  options: { get?: boolean; signal?: AbortSignal } = {},
): Promise<T & { ok: true }> {
  const defined = Object.entries(params).filter(([, value]) => value !== undefined);
  const url = new URL(`${app.api_url}/${method}`);
  if (options.get) for (const [name, value] of defined) url.searchParams.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  const headers: Record<string, string> = { authorization: `Bearer ${app.bot_token}` };
  if (!options.get) headers['content-type'] = 'application/json; charset=utf-8';
  let answer;
  try {
    answer = await request(options.get ? 'GET' : 'POST', url, options.get ? undefined : JSON.stringify(Object.fromEntries(defined)), { headers, timeoutMs: app.timeout, signal: options.signal });
  } catch (error) {
    const failure = networkFailure('Slack', error);
    throw new SlackApiError(method, failure.message, true);
  }
  let parsed: { ok?: boolean; error?: string; needed?: string } & Record<string, unknown> = {};
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    /* not JSON: the status says enough */
  }
  if (answer.status === 200 && parsed.ok === true) return parsed as T & { ok: true };
  const clean = (text: string) => oneLine(redact(text), 100);
  if (answer.status !== 200) {
    const failure = httpFailure('Slack', answer.status, '', retryAfterHeader(answer.headers));
    throw new SlackApiError(method, parsed.error ? clean(String(parsed.error)) : `http_${answer.status}`, failure.retryable, failure.retryAfterMs);
  }
  const code = clean(String(parsed.error ?? 'unknown_error'));
  const detail = code === 'missing_scope' && parsed.needed ? `needs scope ${clean(String(parsed.needed))}` : '';
  // Unknown codes are retried (an alerting tool does not drop a notice on a code it does not know); max_pending_age bounds it.
  throw new SlackApiError(method, code, !PERMANENT.has(code), undefined, detail);
}

/** A message as conversations.history and conversations.replies return it (the fields alertcron reads). */
export interface SlackMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  reactions?: { name: string; users?: string[]; count?: number }[];
}

/** Posts a message (optionally in a thread) and returns its channel and timestamp; unfurling is always off. */
export async function postMessage(app: SlackApp, message: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string }, signal?: AbortSignal): Promise<{ channel: string; ts: string }> {
  const answer = await callSlack<{ channel: string; ts: string }>(app, 'chat.postMessage', { ...message, unfurl_links: false, unfurl_media: false }, { signal });
  return { channel: answer.channel, ts: answer.ts };
}

/** Replaces a message's text and blocks. */
export async function updateMessage(app: SlackApp, message: { channel: string; ts: string; text: string; blocks?: unknown[] }, signal?: AbortSignal): Promise<void> {
  await callSlack(app, 'chat.update', message, { signal });
}

/**
 * Reads a channel's messages from `oldest` (inclusive) on, newest first as Slack gives them, following the
 * cursor for at most `maxPages` pages; each message carries its reactions and reply count.
 */
export async function readHistory(app: SlackApp, channel: string, oldest: string, signal?: AbortSignal, maxPages = 3): Promise<{ messages: SlackMessage[]; calls: number; complete: boolean; skipped: string[] }> {
  const messages: SlackMessage[] = [];
  const skipped: string[] = [];
  let cursor: string | undefined;
  let calls = 0;
  do {
    const page = await callSlack<{ messages?: unknown; response_metadata?: { next_cursor?: unknown } }>(app, 'conversations.history', { channel, oldest, inclusive: true, limit: 200, cursor }, { get: true, signal });
    calls++;
    messages.push(...usableMessages(page.messages, skipped));
    const next = page.response_metadata?.next_cursor;
    cursor = typeof next === 'string' && next ? next : undefined;
  } while (cursor && calls < maxPages);
  return { messages, calls, complete: cursor === undefined, skipped };
}

/** Reads the replies in a thread after `oldest` (exclusive); the parent message is left out, and so is one of the wrong shape (its problem goes to `skipped`). */
export async function readReplies(app: SlackApp, channel: string, ts: string, oldest: string | undefined, signal?: AbortSignal, skipped: string[] = []): Promise<SlackMessage[]> {
  const page = await callSlack<{ messages?: unknown }>(app, 'conversations.replies', { channel, ts, oldest, limit: 200 }, { get: true, signal });
  return usableMessages(page.messages, skipped).filter((m) => m.ts !== ts && (!oldest || Number(m.ts) > Number(oldest)));
}

/** The bot's own user id (auth.test), to leave its own messages and reactions out. */
export async function botUserId(app: SlackApp, signal?: AbortSignal): Promise<string | undefined> {
  const answer = await callSlack<{ user_id?: string }>(app, 'auth.test', {}, { signal });
  return answer.user_id;
}
