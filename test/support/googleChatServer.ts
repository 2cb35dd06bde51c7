// A local Google Chat API answering a space's incoming webhooks (POST /v1/spaces/{space}/messages?key=&token=) as
// Google does: the Message resource on success; Google's error JSON ({"error": {code, message, status}}) for a bad
// token (401 UNAUTHENTICATED), an unknown space (404 NOT_FOUND), an invalid message (400 INVALID_ARGUMENT: unknown
// field, text over 4,096 characters, a message over 32,000 bytes, a malformed card), and more than one message a
// second to a space (429 RESOURCE_EXHAUSTED). Threads follow thread.threadKey with messageReplyOption.
import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';
import { useServer } from './useServer.js';

export const CHAT_TEXT_CHARS = 4_096;
export const CHAT_MESSAGE_BYTES = 32_000;
/** The shortest time between two messages to one space that Google Chat's webhook quota lets through. */
export const CHAT_INTERVAL_MS = 1_000;

/** One message the space got. */
export interface ChatMessage {
  space: string;
  name: string;
  thread: string;
  text?: string;
  cardsV2?: any[];
  fallbackText?: string;
  threadKey?: string;
}

/** The fake Google Chat: the space's webhook URL, what it received and created, and answers queued by the test. */
export interface GoogleChatServer {
  recorder: HttpRecorder;
  /** The webhook URL of space AAAAalerts (its key and token are the secret). */
  url: string;
  key: string;
  token: string;
  messages: ChatMessage[];
  /** Answers to give to the next requests instead of the normal one (e.g. 503, 429). */
  answers: Answer[];
  /** Requests refused by the one-message-a-second quota. */
  throttled: number;
  /** Whether an error answer echoes the request's URL, to check that alertcron redacts it. */
  echoUrl: boolean;
  /** Forgets the quota's last message times (a new test starts with a quiet space). */
  resetQuota(): void;
}

const SPACE = 'AAAAalerts';
const MESSAGE_FIELDS = new Set(['text', 'cardsV2', 'thread', 'fallbackText', 'accessoryWidgets', 'privateMessageViewer', 'attachment', 'annotations', 'clientAssignedMessageId']);
const WIDGETS = new Set(['textParagraph', 'decoratedText', 'image', 'buttonList', 'divider', 'columns', 'grid', 'selectionInput', 'textInput', 'dateTimePicker', 'chipList']);

const failure = (code: number, status: string, message: string): Answer => ({ status: code, body: { error: { code, message, status } } });

/** What Google Chat finds wrong with a card list, or undefined. */
function cardsProblem(cards: unknown): string | undefined {
  if (!Array.isArray(cards)) return 'Invalid value at \'message.cards_v2\': not a list';
  for (const [i, entry] of cards.entries()) {
    const card = (entry as { card?: any })?.card;
    if (!card || typeof card !== 'object') return `cards_v2[${i}]: card is required`;
    if (!Array.isArray(card.sections) || card.sections.length === 0) return `cards_v2[${i}]: a card needs sections`;
    for (const section of card.sections) {
      if (!Array.isArray(section?.widgets)) return `cards_v2[${i}]: a section needs widgets`;
      for (const widget of section.widgets) {
        const kinds = Object.keys(widget ?? {}).filter((k) => k !== 'horizontalAlignment');
        if (kinds.length !== 1 || !WIDGETS.has(kinds[0]!)) return `cards_v2[${i}]: a widget must be exactly one of ${[...WIDGETS].join(', ')}`;
        if (kinds[0] === 'textParagraph' && typeof widget.textParagraph.text !== 'string') return `cards_v2[${i}]: textParagraph.text is required`;
      }
    }
  }
  return undefined;
}

/**
 * The formatting Google Chat applies to a text message: mentions `<users/...>`, links `<url|text>`, bold, italic,
 * strike, code, quotes, list bullets, and URLs, addresses or domains (www. or bare label.tld) it links by itself. Inertness checks assert that only
 * alertcron's own bold title is found.
 */
export function chatFormatting(text: string): string[] {
  const found: string[] = [];
  const patterns: [string, RegExp][] = [
    ['mention', /<users\/[^>\s]+>/g],
    ['link', /<[^<>|\s]+\|[^<>]+>/g],
    ['bold', /(?<![\w*])\*[^*\n]+\*(?![\w*])/g],
    ['italic', /(?<![\w_])_[^_\n]+_(?![\w_])/g],
    ['strike', /(?<![\w~])~[^~\n]+~(?![\w~])/g],
    ['code', /`[^`\n]+`/g],
    ['quote', /^>/gm],
    ['bullet', /^[ \t]*[-*][ \t]/gm],
    ['url', /\b(?:https?|ftp):\/\/[^\s\u2060]+/g],
    ['domain', /\bwww\.[a-z0-9-]+\.[a-z]{2,}/gi],
    // Google Chat links a bare label.tld (evil.com, paypa1.com/x, office365.com) as well, not only www. names.
    ['bare domain', /[\p{L}\p{N}-]+\.\p{L}{2,}/gu],
    // What Markdown (MARKUP_SYNTAX_MARKDOWN, CommonMark) would format on top of Chat's own syntax.
    ['markdown link', /\][(:[]/g],
    ['markdown heading', /^[ \t]{0,3}#{1,6}(?:[ \t]|$)/gm],
    ['markdown list', /^[ \t]*(?:\+|\d{1,9}[.)])(?:[ \t]|$)/gm],
    ['markdown rule', /^[ \t]{0,3}(?:-+|=+)[ \t]*$/gm],
    ['email', /[\w.+-]+@[a-z0-9-]+\.[a-z]{2,}/gi],
  ];
  for (const [name, pattern] of patterns) for (const match of text.matchAll(pattern)) found.push(`${name}: ${match[0]}`);
  return found;
}

/** Starts the fake Google Chat on 127.0.0.1. */
export async function startGoogleChatServer(): Promise<GoogleChatServer> {
  const server = { messages: [], answers: [], throttled: 0, echoUrl: false, key: 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI', token: 'tK9wQ2eR7yU4iO1pA3sD5fG8hJ0kL6zX9cV2bN4mQ1w%3D' } as unknown as GoogleChatServer;
  const lastAt = new Map<string, number>();
  const threads = new Map<string, string>();
  let next = 1;
  server.recorder = await startHttpRecorder((request) => {
    const url = new URL(request.path, 'http://fake');
    const echo = server.echoUrl ? ` (request ${request.path})` : '';
    const match = /^\/v1\/spaces\/([^/]+)\/messages$/.exec(url.pathname);
    if (request.method !== 'POST' || !match) return failure(404, 'NOT_FOUND', `Requested entity was not found.${echo}`);
    if (url.searchParams.get('key') !== server.key || url.searchParams.get('token') !== decodeURIComponent(server.token)) return failure(401, 'UNAUTHENTICATED', `Request had invalid authentication credentials.${echo}`);
    const space = match[1]!;
    if (space !== SPACE) return failure(404, 'NOT_FOUND', 'Requested entity was not found.');
    const queued = server.answers.shift();
    if (queued) return queued;
    const now = Date.now();
    if (now - (lastAt.get(space) ?? 0) < CHAT_INTERVAL_MS) {
      server.throttled++;
      return failure(429, 'RESOURCE_EXHAUSTED', "Resource has been exhausted (e.g. check quota). Quota exceeded for quota metric 'Write requests' and limit 'Write requests per second per space'.");
    }
    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return failure(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return failure(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Expected an object.');
    const unknown = Object.keys(body).find((key) => !MESSAGE_FIELDS.has(key));
    if (unknown) return failure(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${unknown}" at 'message': Cannot find field.`);
    if (Buffer.byteLength(request.body) > CHAT_MESSAGE_BYTES) return failure(400, 'INVALID_ARGUMENT', 'Message exceeds the maximum size of 32000 bytes.');
    if (body.text !== undefined && (typeof body.text !== 'string' || body.text.length > CHAT_TEXT_CHARS)) return failure(400, 'INVALID_ARGUMENT', 'Invalid value at \'message.text\': text exceeds 4096 characters.');
    if (body.cardsV2 !== undefined) {
      const problem = cardsProblem(body.cardsV2);
      if (problem) return failure(400, 'INVALID_ARGUMENT', problem);
    }
    if (!body.text && !body.cardsV2) return failure(400, 'INVALID_ARGUMENT', 'Message cannot be empty. Discarded message must contain text or cards.');
    lastAt.set(space, now);
    const threadKey: string | undefined = body.thread?.threadKey;
    const reply = url.searchParams.get('messageReplyOption');
    const id = `${(next++).toString(36).padStart(6, '0')}.${Date.now().toString(36)}`;
    let thread = `spaces/${space}/threads/${id}`;
    // Without a reply option a message starts a new thread whatever its key (MESSAGE_REPLY_OPTION_UNSPECIFIED).
    if (threadKey && (reply === 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD' || reply === 'REPLY_MESSAGE_OR_FAIL')) {
      thread = threads.get(`${space}/${threadKey}`) ?? thread;
      threads.set(`${space}/${threadKey}`, thread);
    }
    const message: ChatMessage = { space, name: `spaces/${space}/messages/${id}`, thread, ...(body.text !== undefined ? { text: body.text } : {}), ...(body.cardsV2 ? { cardsV2: body.cardsV2 } : {}), ...(body.fallbackText ? { fallbackText: body.fallbackText } : {}), ...(threadKey ? { threadKey } : {}) };
    server.messages.push(message);
    return { status: 200, body: { name: message.name, sender: { name: 'users/114022495153014004089', type: 'BOT' }, text: body.text ?? '', cardsV2: body.cardsV2, thread: { name: thread }, space: { name: `spaces/${space}`, type: 'ROOM' }, createTime: new Date(now).toISOString() } };
  });
  server.resetQuota = () => lastAt.clear();
  server.url = `${server.recorder.base}/v1/spaces/${SPACE}/messages?key=${server.key}&token=${server.token}`;
  return server;
}

/** Registers hooks that start the fake Google Chat for a test file, empty it before each test, and stop it. */
export function useGoogleChatServer(): GoogleChatServer {
  return useServer(
    startGoogleChatServer,
    (server) => {
      server.recorder.requests.length = 0;
      server.messages.length = 0;
      server.answers.length = 0;
      server.throttled = 0;
      server.echoUrl = false;
      server.resetQuota();
    },
    (server) => server.recorder.close(),
  );
}
