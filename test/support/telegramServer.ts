import { startHttpRecorder, type HttpRecorder } from './httpRecorder.js';

/** How the fake Telegram answers. */
export type TelegramBehaviour = 'ok' | 'rate-limited' | 'blocked';

/** A local server speaking the Bot API's sendMessage, with an HTML check as strict as Telegram's. */
export interface TelegramServer extends HttpRecorder {
  token: string;
  behaviour: TelegramBehaviour;
  /** Messages accepted, with their text as Telegram would show it (entities parsed). */
  sent: { chat_id: unknown; text: string; visible: string; body: Record<string, unknown> }[];
}

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Parses Telegram HTML: returns the visible text, or why Telegram would answer "can't parse entities". */
export function parseTelegramHtml(html: string): { visible: string } | { error: string } {
  let visible = '';
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const char = html[i]!;
    if (char === '<') {
      const tag = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/.exec(html.slice(i));
      if (!tag || !ALLOWED_TAGS.has(tag[2]!)) return { error: `Unsupported start tag "${html.slice(i + 1, i + 10)}" at byte offset ${i}` };
      if (tag[1]) {
        if (open.pop() !== tag[2]) return { error: `Unmatched end tag at byte offset ${i}` };
      } else open.push(tag[2]!);
      i += tag[0].length;
    } else if (char === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!entity) return { error: `Character entity expected at byte offset ${i}` };
      visible += 'x';
      i += entity[0].length;
    } else if (char === '>') {
      return { error: `Unexpected end tag at byte offset ${i}` };
    } else {
      visible += char;
      i++;
    }
  }
  if (open.length) return { error: `Can't find end tag corresponding to start tag "${open.pop()}"` };
  return { visible };
}

/** Starts the fake Telegram: token check (401), HTML validation (400), length (400), 429 with retry_after, 403 blocked. */
export async function startTelegramServer(): Promise<TelegramServer> {
  const token = '123456:TELEGRAM-SECRET-TOKEN';
  const state = { token, behaviour: 'ok' as TelegramBehaviour, sent: [] as TelegramServer['sent'] };
  const fail = (code: number, description: string, extra: Record<string, unknown> = {}) => ({ status: code, body: { ok: false, error_code: code, description, ...extra } });
  const recorder = await startHttpRecorder((request) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.path);
    if (!match || match[1] !== token) return fail(401, 'Unauthorized');
    if (match[2] !== 'sendMessage') return fail(404, 'Not Found: method not found');
    if (state.behaviour === 'rate-limited') return fail(429, 'Too Many Requests: retry after 1', { parameters: { retry_after: 1 } });
    if (state.behaviour === 'blocked') return fail(403, 'Forbidden: bot was blocked by the user');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    const text = String(body.text ?? '');
    const parsed = body.parse_mode === 'HTML' ? parseTelegramHtml(text) : { visible: text };
    if ('error' in parsed) return fail(400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.visible.length === 0) return fail(400, 'Bad Request: message text is empty');
    if (parsed.visible.length > 4096) return fail(400, 'Bad Request: message is too long');
    state.sent.push({ chat_id: body.chat_id, text, visible: parsed.visible, body });
    return { status: 200, body: { ok: true, result: { message_id: state.sent.length, chat: { id: body.chat_id }, date: Math.floor(Date.now() / 1000), text: parsed.visible } } };
  });
  const { behaviour: _initial, ...rest } = state;
  Object.assign(recorder, rest);
  Object.defineProperty(recorder, 'behaviour', { get: () => state.behaviour, set: (value: TelegramBehaviour) => (state.behaviour = value) });
  return recorder as TelegramServer;
}
