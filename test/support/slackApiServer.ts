import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';
import { slackBlocksProblem } from './slackBlocks.js';

/** A message in the fake workspace, with its reactions and thread. */
export interface FakeSlackMessage {
  ts: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  reactions: { name: string; users: string[] }[];
  replies: FakeSlackMessage[];
  edits: number;
  /** The whole chat.postMessage body, for checks on escaping and unfurling. */
  body?: Record<string, unknown>;
}

/** A local server speaking Slack's Web API for an app that polls: JSON/form/query parameters, ok:false errors, 429. */
export interface SlackApiServer extends HttpRecorder {
  /** The app's bot token the server accepts. */
  token: string;
  /** The Web API base to configure as `api_url`. */
  apiUrl: string;
  /** The bot's own user id (auth.test). */
  botUser: string;
  /** Channels that exist and that the bot is a member of (others answer channel_not_found / not_in_channel). */
  channels: Map<string, FakeSlackMessage[]>;
  /** Channels that exist but the bot was not invited to. */
  notMember: Set<string>;
  /** Web API calls by method name, in order, with the caller (an api_url of `<base>/via-<name>/api`). */
  calls: { method: string; params: Record<string, string>; via?: string }[];
  /** Answers the next calls of a method with 429 and this Retry-After (seconds) until cleared. */
  rateLimited: Map<string, string>;
  /** Answers the next calls of a method with {ok:false, error} until cleared. */
  failing: Map<string, string>;
  /** Whether chat.postMessage refuses table blocks (ok:false invalid_blocks), as a workspace without them would. */
  refuseTables: boolean;
  /** Adds a reaction by a user to a message (as a person clicking an emoji). */
  react(channel: string, ts: string, name: string, user: string): void;
  /** Adds a reply by a user in a message's thread. */
  reply(channel: string, ts: string, user: string, text: string): FakeSlackMessage;
  /** The bot's top-level messages in a channel, oldest first. */
  posted(channel: string): FakeSlackMessage[];
  /** Finds a message (or a thread reply) by channel and ts. */
  find(channel: string, ts: string): FakeSlackMessage | undefined;
  /** The workspace's people (issue 14): users.lookupByEmail and conversations.open know them. */
  users: Map<string, FakeSlackUser>;
  /** Adds a person to the workspace. */
  addUser(id: string, email: string, options?: { deleted?: boolean }): FakeSlackUser;
  /** The DM channel id conversations.open gives for a user (D + the user id without its U). */
  dmOf(user: string): string;
  /** A person writes a top-level message in a channel (e.g. their DM with the bot). */
  say(channel: string, user: string, text: string): FakeSlackMessage;
  /** Raw entries added to every conversations.history / .replies answer of a channel (messages of any shape, for tests of malformed data). */
  garbage: Map<string, unknown[]>;
}

/** A person in the fake workspace. */
export interface FakeSlackUser {
  id: string;
  email: string;
  deleted: boolean;
}

/**
 * Starts the fake Slack Web API on 127.0.0.1 with one channel C0ALERTS: chat.postMessage, chat.update,
 * conversations.history (oldest/latest/inclusive, limit, cursor pages, reactions inline, reply_count and
 * latest_reply), conversations.replies, auth.test; invalid_auth, channel_not_found, not_in_channel,
 * thread_not_found, message_not_found, no_text, msg_too_long; 429 with Retry-After when asked; and for the
 * conversations of ask alerts users.lookupByEmail (users_not_found), conversations.open (user_not_found,
 * user_disabled) and the DM's history, where people write with say().
 */
export async function startSlackApiServer(): Promise<SlackApiServer> {
  const token = 'xoxb-1111-2222-SLACKBOTSECRET';
  const botUser = 'UBOT0001';
  let tick = 0;
  const base = Math.floor(Date.now() / 1000);
  const nextTs = () => `${base + Math.floor(tick / 1000)}.${String(++tick % 1_000_000).padStart(6, '0')}`;
  const channels = new Map<string, FakeSlackMessage[]>([['C0ALERTS', []]]);
  const notMember = new Set<string>();
  const calls: SlackApiServer['calls'] = [];
  const rateLimited = new Map<string, string>();
  const failing = new Map<string, string>();
  const users = new Map<string, FakeSlackUser>();
  const garbage = new Map<string, unknown[]>();
  const dmOf = (user: string) => `D${user.replace(/^U/, '')}`;
  const error = (code: string, extra: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: false, error: code, ...extra } });
  const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body: { ok: true, ...body } });
  const find = (channel: string, ts: string) => {
    for (const message of channels.get(channel) ?? []) {
      if (message.ts === ts) return message;
      const reply = message.replies.find((r) => r.ts === ts);
      if (reply) return reply;
    }
    return undefined;
  };
  const view = (m: FakeSlackMessage) => ({
    type: 'message',
    ts: m.ts,
    text: m.text,
    ...(m.user ? { user: m.user } : {}),
    ...(m.bot_id ? { bot_id: m.bot_id } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.replies.length ? { thread_ts: m.ts, reply_count: m.replies.length, latest_reply: m.replies[m.replies.length - 1]!.ts } : {}),
    ...(m.reactions.length ? { reactions: m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length })) } : {}),
  });
  const channelProblem = (channel: string | undefined): Answer | undefined => {
    if (!channel) return error('channel_not_found');
    if (notMember.has(channel)) return error('not_in_channel');
    if (!channels.has(channel)) return error('channel_not_found');
    return undefined;
  };

  const handle = (method: string, p: Record<string, string>, raw: Record<string, unknown>): Answer => {
    switch (method) {
      case 'auth.test':
        return ok({ url: 'https://fake.slack.com/', team: 'Fake', user: 'alertcron', team_id: 'T0FAKE', user_id: botUser, bot_id: 'B0BOT' });
      case 'chat.postMessage': {
        const problem = channelProblem(p.channel);
        if (problem) return problem;
        if (!p.text && !raw.blocks) return error('no_text');
        if ((p.text ?? '').length > 40_000) return error('msg_too_long');
        if (slackBlocksProblem(raw.blocks, { tables: !server.refuseTables })) return error('invalid_blocks');
        const message: FakeSlackMessage = { ts: nextTs(), channel: p.channel!, user: botUser, bot_id: 'B0BOT', text: p.text ?? '', ...(raw.blocks ? { blocks: raw.blocks as unknown[] } : {}), reactions: [], replies: [], edits: 0, body: raw };
        if (p.thread_ts) {
          const parent = find(p.channel!, p.thread_ts);
          if (!parent) return error('thread_not_found');
          message.thread_ts = parent.ts;
          parent.replies.push(message);
        } else channels.get(p.channel!)!.push(message);
        return ok({ channel: p.channel, ts: message.ts, message: view(message) });
      }
      case 'chat.update': {
        const problem = channelProblem(p.channel);
        if (problem) return problem;
        const message = find(p.channel!, p.ts ?? '');
        if (!message) return error('message_not_found');
        if (message.user !== botUser) return error('cant_update_message');
        message.text = p.text ?? message.text;
        if (raw.blocks) message.blocks = raw.blocks as unknown[];
        message.edits++;
        return ok({ channel: p.channel, ts: message.ts, text: message.text });
      }
      case 'conversations.history': {
        const problem = channelProblem(p.channel);
        if (problem) return problem;
        const inclusive = p.inclusive === 'true' || p.inclusive === '1';
        const oldest = p.oldest ? Number(p.oldest) : 0;
        const latest = p.latest ? Number(p.latest) : Infinity;
        const limit = Math.min(999, Math.max(1, Number(p.limit ?? 100)));
        // Newest first, as Slack answers; the cursor is an offset into that list.
        const all = channels.get(p.channel!)!.filter((m) => (inclusive ? Number(m.ts) >= oldest : Number(m.ts) > oldest) && Number(m.ts) < latest).reverse();
        const start = p.cursor ? Number(Buffer.from(p.cursor, 'base64').toString()) : 0;
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return ok({ messages: [...page.map(view), ...(garbage.get(p.channel!) ?? [])], has_more: more, response_metadata: { next_cursor: more ? Buffer.from(String(start + limit)).toString('base64') : '' } });
      }
      case 'conversations.replies': {
        const problem = channelProblem(p.channel);
        if (problem) return problem;
        const parent = find(p.channel!, p.ts ?? '');
        if (!parent || parent.thread_ts) return error('thread_not_found');
        const oldest = p.oldest ? Number(p.oldest) : 0;
        const replies = parent.replies.filter((r) => Number(r.ts) >= oldest);
        return ok({ messages: [view(parent), ...replies.map(view), ...(garbage.get(p.channel!) ?? [])], has_more: false });
      }
      case 'users.lookupByEmail': {
        if (!p.email) return error('invalid_arguments');
        const user = [...users.values()].find((u) => u.email.toLowerCase() === p.email!.toLowerCase());
        if (!user) return error('users_not_found');
        return ok({ user: { id: user.id, team_id: 'T0FAKE', name: user.email.split('@')[0], deleted: user.deleted, is_bot: false, tz: 'Europe/Berlin', profile: { email: user.email, display_name: user.email.split('@')[0] } } });
      }
      case 'conversations.open': {
        const ids = (p.users ?? '').split(',').filter(Boolean);
        if (!ids.length) return error('users_list_not_supplied');
        if (ids.length > 1) return error('not_implemented', { detail: 'this fake opens one-to-one DMs only' });
        const user = users.get(ids[0]!);
        if (!user) return error('user_not_found');
        if (user.deleted) return error('user_disabled');
        const dm = dmOf(user.id);
        const already = channels.has(dm);
        if (!already) channels.set(dm, []);
        return ok({ channel: { id: dm }, ...(already ? { already_open: true } : {}) });
      }
      default:
        return error('unknown_method');
    }
  };

  const recorder = await startHttpRecorder((request) => {
    const url = new URL(request.path, 'http://x');
    // An api_url of `<base>/via-<name>/api` names the caller (one host of several sharing the app), nothing else changes.
    const via = /^\/via-([\w-]+)\//.exec(url.pathname)?.[1];
    const method = url.pathname.replace(/^\/via-[\w-]+/, '').replace(/^\/api\//, '');
    let raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (request.body) {
      const type = String(request.headers['content-type'] ?? '');
      if (type.startsWith('application/json')) {
        try {
          raw = { ...raw, ...(JSON.parse(request.body) as Record<string, unknown>) };
        } catch {
          return error('invalid_json');
        }
      } else raw = { ...raw, ...Object.fromEntries(new URLSearchParams(request.body)) };
    }
    const params = Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
    calls.push({ method, params, ...(via ? { via } : {}) });
    if (request.headers.authorization !== `Bearer ${token}`) return error(request.headers.authorization ? 'invalid_auth' : 'not_authed');
    const retry = rateLimited.get(method);
    if (retry !== undefined) return { status: 429, headers: { 'retry-after': retry }, body: { ok: false, error: 'ratelimited' } };
    const failure = failing.get(method);
    if (failure) return error(failure);
    return handle(method, params, raw);
  });
  const server = recorder as SlackApiServer;
  Object.assign(server, {
    token,
    apiUrl: `${recorder.base}/api`,
    botUser,
    channels,
    notMember,
    calls,
    rateLimited,
    failing,
    refuseTables: false,
    garbage,
    react(channel: string, ts: string, name: string, user: string) {
      const message = find(channel, ts);
      if (!message) throw new Error(`no message ${ts} in ${channel}`);
      let reaction = message.reactions.find((r) => r.name === name);
      if (!reaction) message.reactions.push((reaction = { name, users: [] }));
      if (!reaction.users.includes(user)) reaction.users.push(user);
    },
    reply(channel: string, ts: string, user: string, text: string) {
      const parent = find(channel, ts);
      if (!parent) throw new Error(`no message ${ts} in ${channel}`);
      const message: FakeSlackMessage = { ts: nextTs(), channel, user, text, thread_ts: parent.ts, reactions: [], replies: [], edits: 0 };
      parent.replies.push(message);
      return message;
    },
    users,
    addUser(id: string, email: string, options: { deleted?: boolean } = {}) {
      const user = { id, email, deleted: !!options.deleted };
      users.set(id, user);
      return user;
    },
    dmOf,
    say(channel: string, user: string, text: string) {
      const message: FakeSlackMessage = { ts: nextTs(), channel, user, text, reactions: [], replies: [], edits: 0 };
      if (!channels.has(channel)) channels.set(channel, []);
      channels.get(channel)!.push(message);
      return message;
    },
    posted: (channel: string) => (channels.get(channel) ?? []).filter((m) => m.user === botUser),
    find,
  });
  return server;
}
