// A fake Discord that follows Execute Webhook (discord.com/developers/docs/resources/webhook#execute-webhook):
// POST /api/webhooks/{id}/{token}[?wait=true], the message limits (content 2,000, embed title 256, description 4,096,
// 6,000 in all embeds, at most 10 embeds), Discord's error bodies {code, message, errors}, its 401/404 for a wrong
// token or webhook, and 429 with retry_after (seconds) in the body plus Retry-After and X-RateLimit-* headers.
import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';
import { useServer } from './useServer.js';

/** A message Discord accepted, with the pings it would have made (mentions allowed_mentions lets through). */
export interface DiscordMessage {
  id: string;
  content: string;
  embeds: { title?: string; description?: string; color?: number }[];
  username?: string;
  allowed_mentions?: unknown;
  /** The mentions in the content that would notify someone (@everyone, @here, <@id>, <@&id>) given allowed_mentions. */
  pings: string[];
}

/** A forced answer for the next call: rate limited, a server error, or a 400 that echoes the URL it was called at. */
export type DiscordFailure = 'rate-limited' | 'server-error' | 'echo-url';

/** The fake Discord and what it received. */
export interface DiscordServer {
  recorder: HttpRecorder;
  /** The webhook URL to configure (its token is a secret). */
  url: string;
  token: string;
  messages: DiscordMessage[];
  /** Answers forced on the next calls, in order (then normal answers). */
  failures: DiscordFailure[];
  /** retry_after of a 429, in seconds (Discord sends a float). */
  retryAfter: number;
  close(): Promise<void>;
}

const WEBHOOK_ID = '112233445566778899';
const TOKEN = 'dWebhookTOKEN-SECRET-abc_123';

/** A Discord error answer. */
function error(status: number, code: number, message: string, errors?: unknown): Answer {
  return { status, body: { code, message, ...(errors ? { errors } : {}) } };
}

/** Discord's 50035 Invalid Form Body for one field over its length. */
function tooLong(path: string[], max: number): Answer {
  const errors = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] });
  return error(400, 50035, 'Invalid Form Body', errors);
}

/** The pings a message makes: mentions in its content (embeds never ping) that allowed_mentions does not suppress. */
function pings(content: string, allowed: unknown): string[] {
  const mentions = [...content.matchAll(/(?<!\\)(@everyone|@here|<@!?\d+>|<@&\d+>)/g)].map((m) => m[1]!);
  const parse = allowed && typeof allowed === 'object' ? (allowed as { parse?: unknown }).parse : undefined;
  if (Array.isArray(parse) && allowed && !(allowed as { users?: unknown }).users && !(allowed as { roles?: unknown }).roles) {
    return mentions.filter((m) => (m.startsWith('<@&') ? parse.includes('roles') : m.startsWith('<@') ? parse.includes('users') : parse.includes('everyone')));
  }
  return mentions;
}

/** Starts the fake Discord on 127.0.0.1. */
export async function startDiscordServer(): Promise<DiscordServer> {
  const server = { messages: [] as DiscordMessage[], failures: [] as DiscordFailure[], retryAfter: 0.25, token: TOKEN } as DiscordServer;
  server.recorder = await startHttpRecorder((request) => {
    const url = new URL(request.path, 'http://discord.invalid');
    const match = /^\/api\/webhooks\/(\d+)\/([^/]+)$/.exec(url.pathname);
    if (request.method !== 'POST' || !match) return error(404, 0, '404: Not Found');
    if (match[1] !== WEBHOOK_ID) return error(404, 10015, 'Unknown Webhook');
    if (match[2] !== TOKEN) return error(401, 50027, 'Invalid Webhook Token');
    const failure = server.failures.shift();
    if (failure === 'rate-limited') {
      const reset = Math.ceil(server.retryAfter);
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: server.retryAfter, global: false },
        headers: { 'retry-after': String(reset), 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': String(server.retryAfter), 'x-ratelimit-bucket': 'abcd1234', 'x-ratelimit-scope': 'shared' },
      };
    }
    if (failure === 'server-error') return { status: 502, body: '<html>502 Bad Gateway</html>' };
    if (failure === 'echo-url') return error(400, 50035, `Invalid Form Body at ${request.path}`);
    if (!/^application\/json/.test(String(request.headers['content-type']))) return error(400, 50006, 'Cannot send an empty message');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return error(400, 50109, 'The request body contains invalid JSON.');
    }
    const content = typeof body.content === 'string' ? body.content : '';
    const embeds = Array.isArray(body.embeds) ? (body.embeds as DiscordMessage['embeds']) : [];
    if ([...content].length > 2000) return tooLong(['content'], 2000);
    if (embeds.length > 10) return tooLong(['embeds'], 10);
    let total = 0;
    for (const [i, embed] of embeds.entries()) {
      if ((embed.title ?? '').length > 256) return tooLong(['embeds', String(i), 'title'], 256);
      if ((embed.description ?? '').length > 4096) return tooLong(['embeds', String(i), 'description'], 4096);
      if (embed.color !== undefined && !(Number.isInteger(embed.color) && embed.color >= 0 && embed.color <= 0xffffff)) return error(400, 50035, 'Invalid Form Body', { embeds: { [i]: { color: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 16777215.' }] } } } });
      total += (embed.title ?? '').length + (embed.description ?? '').length;
    }
    if (total > 6000) return tooLong(['embeds'], 6000);
    if (!content.trim() && !embeds.length) return error(400, 50006, 'Cannot send an empty message');
    const username = typeof body.username === 'string' ? body.username : undefined;
    if (username !== undefined && (username.length < 1 || username.length > 80 || /discord|clyde/i.test(username))) return error(400, 50035, 'Invalid Form Body', { username: { _errors: [{ code: 'USERNAME_INVALID_CONTAINS', message: 'Username cannot contain "discord"' }] } });
    const message: DiscordMessage = { id: String(1_100_000_000_000_000_000n + BigInt(server.messages.length)), content, embeds, username, allowed_mentions: body.allowed_mentions, pings: pings(content, body.allowed_mentions) };
    server.messages.push(message);
    return url.searchParams.get('wait') === 'true' ? { status: 200, body: { ...message, type: 0, channel_id: '998877665544332211', webhook_id: WEBHOOK_ID } } : { status: 204, body: '' };
  });
  server.url = `${server.recorder.base}/api/webhooks/${WEBHOOK_ID}/${TOKEN}`;
  server.close = () => server.recorder.close();
  return server;
}

/** Registers hooks that start the fake Discord for the current test file, clear it before each test, and stop it. */
export function useDiscordServer(): DiscordServer {
  return useServer(
    startDiscordServer,
    (server) => {
      server.messages.length = 0;
      server.failures.length = 0;
      server.recorder.requests.length = 0;
      server.retryAfter = 0.25;
    },
    (server) => server.close(),
  );
}
