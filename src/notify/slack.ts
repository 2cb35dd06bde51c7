import type { SlackChannelConfig } from './config.js';
import { DeliveryError, type Notification, type Notifier } from './types.js';
import { cleanText, cutText } from '../util/text.js';
import { post as postRequest } from '../http/post.js';
import { httpFailure, retryAfterHeader } from './httpFailure.js';
import { redact } from '../util/redact.js';
import { styleLookalikes } from '../render/styleLookalikes.js';
import { usableDigest } from './digest/usable.js';
import { hasTableBlock, slackDigestBlocks, slackDigestTextBlocks, type SlackBlock } from './digest/slackTable.js';

/** Section text limit of Slack's plain_text objects. */
const SECTION_LIMIT = 3000;

/** Escapes the three characters Slack treats as control characters, so log text cannot become a mention or link. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Makes text inert for the top-level `text` field, which Slack renders as mrkdwn in notifications and previews:
 * `& < >` escaped (no mentions or links) and the styling characters replaced by look-alikes.
 */
export function fallbackText(text: string): string {
  return styleLookalikes(escapeSlack(text));
}

/**
 * Builds the webhook payload: untrusted text only in plain_text objects and an inert fallback, no unfurling. A digest
 * shows its table in a table block (raw_text cells) instead of the message, or with `tables: false` (a Slack that
 * refused the table block) as aligned plain text in its section.
 */
export function slackPayload(notification: Notification & { digest?: undefined }): SlackPayload<PlainSection>;
export function slackPayload(notification: Notification, options?: { tables?: boolean }): SlackPayload<SlackBlock>;
export function slackPayload(notification: Notification, options: { tables?: boolean } = {}): SlackPayload<SlackBlock> {
  const title = cleanText(notification.title);
  const digest = usableDigest(notification.digest);
  const body = cutText(`${title}\n${cleanText(notification.message)}`, SECTION_LIMIT);
  const section: PlainSection = { type: 'section', text: { type: 'plain_text', text: body, emoji: false } };
  return {
    text: fallbackText(cutText(title, 1000)),
    blocks: digest ? (options.tables === false ? slackDigestTextBlocks(title, digest) : slackDigestBlocks(title, digest)) : [section],
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** A section whose text is plain_text (shown as given: no mentions, links or markup). */
type PlainSection = {
  type: 'section';
  text: { type: 'plain_text'; text: string; emoji: boolean };
};

/** What alertcron posts to Slack: an inert fallback text, its blocks, and no unfurling. */
interface SlackPayload<B> {
  text: string;
  blocks: B[];
  unfurl_links: boolean;
  unfurl_media: boolean;
}

/**
 * Creates a Slack notifier over an incoming webhook: one JSON POST per notice with node's own http (as @slack/webhook
 * made it, without loading that package and building a client for each notice: about a third of the CPU).
 */
export async function createSlackNotifier(name: string, config: SlackChannelConfig): Promise<Notifier> {
  // A URL the schema let through that does not parse (https://[x, port 99999) fails each notice as before, never the
  // run, and is never printed (it holds the webhook's secret).
  const url = parsedUrl(config.webhook_url);
  const post = async (payload: SlackPayload<SlackBlock>, signal: AbortSignal): Promise<Answer> => {
    try {
      if (!url) throw new Error('could not reach Slack');
      const answer = await postRequest(url, JSON.stringify(payload), { headers: HEADERS, timeoutMs: config.timeout, signal });
      return { status: answer.status, body: answer.text, retryAfter: retryAfterHeader(answer.headers) };
    } catch (error) {
      const e = error as { name?: string };
      throw new DeliveryError(e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : 'could not reach Slack', true);
    }
  };
  return {
    name,
    async send(notification, signal) {
      const payload = slackPayload(notification);
      let answer = await post(payload, signal);
      // A webhook that refuses the table block (invalid_blocks) gets the digest once more at once, its table as text.
      if (hasTableBlock(payload.blocks) && refusedBlocks(answer)) answer = await post(slackPayload(notification, { tables: false }), signal);
      if (answer.status < 200 || answer.status >= 300) throw httpFailure('Slack', answer.status, cutText(redact(answer.body), 100), answer.retryAfter);
    },
  };
}

/** The headers of a webhook post. */
const HEADERS = { 'content-type': 'application/json', 'user-agent': 'alertcron' };

/** What Slack answered a post: its status, body and Retry-After (ms). */
interface Answer {
  status: number;
  body: string;
  retryAfter?: number;
}

/** Whether the webhook refused a message's blocks: HTTP 400 with Slack's `invalid_blocks` (or `invalid_blocks_format`) body. */
function refusedBlocks(answer: Answer): boolean {
  return answer.status === 400 && /^invalid_blocks/.test(answer.body.trim());
}

/** The URL, or undefined when it does not parse. */
function parsedUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
