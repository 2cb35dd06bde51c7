import type { SlackChannelConfig } from './config.js';
import { DeliveryError, parseRetryAfter, type Notification, type Notifier } from './types.js';
import { cleanText, cutText } from '../util/text.js';
import { createPostFetch } from '../http/fetchAdapter.js';
import { httpFailure } from './httpFailure.js';
import { redact } from '../util/redact.js';
import { styleLookalikes } from '../render/styleLookalikes.js';
import { loadPackage } from '../util/loadPackage.js';
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

/** Creates a Slack notifier over an incoming webhook. */
export async function createSlackNotifier(name: string, config: SlackChannelConfig): Promise<Notifier> {
  const { IncomingWebhook } = loadPackage<typeof import('@slack/webhook')>('@slack/webhook');
  return {
    name,
    async send(notification, signal) {
      let retryAfter: string | null = null;
      const postFetch = createPostFetch({ timeoutMs: config.timeout, signal });
      const webhook = new IncomingWebhook(config.webhook_url, {
        timeout: config.timeout,
        fetch: async (input: string | URL, init?: Parameters<typeof postFetch>[1]) => {
          const response = await postFetch(input, init);
          retryAfter = response.headers.get('retry-after');
          return response;
        },
      } as unknown as ConstructorParameters<typeof IncomingWebhook>[1]);
      const payload = slackPayload(notification);
      try {
        await webhook.send(payload);
      } catch (error) {
        // A webhook that refuses the table block (invalid_blocks) gets the digest once more at once, its table as text.
        if (!hasTableBlock(payload.blocks) || !refusedBlocks(error)) throw classify(error, retryAfter);
        try {
          await webhook.send(slackPayload(notification, { tables: false }));
        } catch (again) {
          throw classify(again, retryAfter);
        }
      }
    },
  };
}

/** Whether the webhook refused a message's blocks: HTTP 400 with Slack's `invalid_blocks` (or `invalid_blocks_format`) body. */
function refusedBlocks(error: unknown): boolean {
  const e = error as { code?: string; statusCode?: number; body?: unknown };
  return e.code === 'slack_webhook_http_error' && e.statusCode === 400 && typeof e.body === 'string' && /^invalid_blocks/.test(e.body.trim());
}

function classify(error: unknown, retryAfter: string | null): DeliveryError {
  const e = error as { code?: string; statusCode?: number; body?: unknown; original?: { name?: string; message?: string } };
  if (e.code === 'slack_webhook_http_error' && e.statusCode) {
    const body = typeof e.body === 'string' ? cutText(redact(e.body), 100) : '';
    return httpFailure('Slack', e.statusCode, body, parseRetryAfter(retryAfter));
  }
  const reason = e.original?.name === 'TimeoutError' || e.original?.name === 'AbortError' ? 'timed out' : 'could not reach Slack';
  return new DeliveryError(reason, true);
}
