// A fake Mattermost that follows its incoming webhooks (developers.mattermost.com/integrate/webhooks/incoming/ and
// the server's HandleIncomingWebhook): POST /hooks/{id} with JSON {text, attachments, channel, username, icon_url},
// 200 "ok", AppError bodies {id, message, detailed_error, request_id, status_code} for an unknown hook, no text, a
// locked channel or an unknown one, a text longer than the post size split into several posts, 429 with the rate
// limiter's headers on demand. It finds mentions in what it received the way the server does (see mentionsIn).
import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';
import { useServer } from './useServer.js';

/** Mattermost's largest post, in characters (runes): a longer webhook text is split into several posts. */
export const MATTERMOST_MAX_POST = 16_383;

/** A post the fake made, with the mentions it would notify. */
export interface MattermostPost {
  text: string;
  attachments: { fallback?: string; color?: string; text?: string; pretext?: string }[];
  channel: string;
  username?: string;
  icon_url?: string;
  /** @channel, @all, @here and @user mentions the server would notify (see mentionsIn). */
  mentions: string[];
}

/** A forced answer for the next call. */
export type MattermostFailure = 'rate-limited' | 'server-error' | 'echo-url' | 'echo-id';

/** The fake Mattermost and what it received. */
export interface MattermostServer {
  recorder: HttpRecorder;
  /** The webhook URL to configure (its id is the secret). */
  url: string;
  hookId: string;
  posts: MattermostPost[];
  failures: MattermostFailure[];
  /** Whether the webhook is locked to its channel (a channel override is refused with 403). */
  locked: boolean;
  /** The channels that exist (by name). */
  channels: Set<string>;
  close(): Promise<void>;
}

const HOOK_ID = 'h7x3mmsecretpq9w4kz1ab5cde';

/** An AppError answer. */
function appError(status: number, id: string, message: string, detailed = ''): Answer {
  return { status, body: { id, message, detailed_error: detailed, request_id: 'r1f2a3k4e5', status_code: status } };
}

/**
 * The mentions Mattermost's server would notify in a post's text: the text its markdown leaves (code blocks and
 * inline code removed, backslash escapes resolved), split at every character that is not a letter, a digit or one
 * of `: . - _ @` (StandardMentionParser.ProcessText); words `@channel`, `@all`, `@here` and `@<name>` (trailing `. - :`
 * trimmed) are mentions.
 */
export function mentionsIn(text: string): string[] {
  const plain = text
    .replace(/^```[\s\S]*?^```/gm, ' ')
    .replace(/(?<!\\)`[^`\n]*(?<!\\)`/g, ' ')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
  const words = plain.split(/[^\p{L}\p{N}:.\-_@]+/u).filter(Boolean);
  const found: string[] = [];
  for (const raw of words) {
    if (raw.startsWith(':') && raw.endsWith(':') && raw.length > 1) continue;
    const word = raw.replace(/^[:.\-_]+/, '').replace(/[.\-:]+$/, '');
    if (/^@[\p{L}\p{N}]/u.test(word)) found.push(word);
  }
  return found;
}

/** Starts the fake Mattermost on 127.0.0.1. */
export async function startMattermostServer(): Promise<MattermostServer> {
  const server = { posts: [] as MattermostPost[], failures: [] as MattermostFailure[], locked: false, channels: new Set(['town-square', 'soc-alerts']), hookId: HOOK_ID } as MattermostServer;
  server.recorder = await startHttpRecorder((request) => {
    const match = /^\/hooks\/([a-z0-9]+)$/.exec(request.path);
    if (request.method !== 'POST' || !match) return appError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
    if (match[1] !== HOOK_ID) return appError(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.');
    const failure = server.failures.shift();
    if (failure === 'rate-limited') return { status: 429, body: 'limit exceeded\n', headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1', 'retry-after': '1' } };
    if (failure === 'server-error') return appError(500, 'app.post.save.app_error', 'Unable to save the post.');
    if (failure === 'echo-url') return appError(400, 'web.incoming_webhook.parse.app_error', 'Unable to parse incoming data.', `err=bad request ${request.path}`);
    if (failure === 'echo-id') return appError(400, 'web.incoming_webhook.parse.app_error', 'Unable to parse incoming data.', `err=hook ${match[1]} could not parse the body`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return appError(400, 'web.incoming_webhook.parse.app_error', 'Unable to parse incoming data.');
    }
    const text = typeof body.text === 'string' ? body.text : '';
    const attachments = Array.isArray(body.attachments) ? (body.attachments as MattermostPost['attachments']) : [];
    if (!text && !attachments.length) return appError(400, 'web.incoming_webhook.text.app_error', 'No text specified.');
    // A leading # is the channel's name too (HandleIncomingWebhook strips it); @name is a direct message.
    const channel = typeof body.channel === 'string' && body.channel ? body.channel.replace(/^#/, '') : 'town-square';
    if (!channel.startsWith('@') && !server.channels.has(channel)) return appError(404, 'web.incoming_webhook.channel.app_error', 'Couldn\'t find the channel.');
    if (server.locked && channel !== 'town-square') return appError(403, 'web.incoming_webhook.channel_locked.app_error', 'This webhook is not permitted to post to the requested channel.');
    const chars = [...text];
    const parts = Math.max(1, Math.ceil(chars.length / MATTERMOST_MAX_POST));
    for (let i = 0; i < parts; i++) {
      const part = chars.slice(i * MATTERMOST_MAX_POST, (i + 1) * MATTERMOST_MAX_POST).join('');
      const seen = [part, ...(i === 0 ? attachments.flatMap((a) => [a.pretext ?? '', a.text ?? '']) : [])].join('\n');
      server.posts.push({ text: part, attachments: i === 0 ? attachments : [], channel, username: body.username as string | undefined, icon_url: body.icon_url as string | undefined, mentions: mentionsIn(seen) });
    }
    return { status: 200, body: 'ok' };
  });
  server.url = `${server.recorder.base}/hooks/${HOOK_ID}`;
  server.close = () => server.recorder.close();
  return server;
}

/** Registers hooks that start the fake Mattermost for the current test file, reset it before each test, and stop it. */
export function useMattermostServer(): MattermostServer {
  return useServer(
    startMattermostServer,
    (server) => {
      server.posts.length = 0;
      server.failures.length = 0;
      server.recorder.requests.length = 0;
      server.locked = false;
    },
    (server) => server.close(),
  );
}
