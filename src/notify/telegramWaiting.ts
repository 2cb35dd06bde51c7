import type { AuditEntry } from '../model/audit.js';
import type { ChannelChats } from '../model/state.js';

/** The most chats waiting for the administrator's answer at once; a request beyond it is turned away (the chat may ask again later). */
export const MAX_WAITING = 50;
/** How long a request waits for the administrator's answer before it is forgotten (7 days). */
export const WAITING_TTL_MS = 7 * 24 * 60 * 60_000;
/** The most join requests sent to the administrator one by one (with buttons) in one run; the rest are summarised. */
export const REQUEST_MESSAGES_PER_RUN = 5;
/** At most one summary of unannounced and turned-away requests per hour. */
export const SUMMARY_INTERVAL_MS = 60 * 60_000;

/** The waiting list's counters as the state holds them, made well-formed (a state file edited by hand or by an older version may hold anything there). */
function waitingOf(chats: ChannelChats): NonNullable<ChannelChats['waiting']> {
  const held = chats.waiting as Partial<NonNullable<ChannelChats['waiting']>> | undefined;
  const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0);
  const time = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);
  const ok = held && typeof held === 'object' ? held : {};
  const runAt = time(ok.runAt);
  const summaryAt = time(ok.summaryAt);
  return (chats.waiting = { unannounced: count(ok.unannounced), turnedAway: count(ok.turnedAway), announced: count(ok.announced), ...(runAt !== undefined ? { runAt } : {}), ...(summaryAt !== undefined ? { summaryAt } : {}) });
}

/** Forgets the requests that waited longer than WAITING_TTL_MS (one audit line each). */
export function expireRequests(chats: ChannelChats, now: number, audit: AuditEntry[]): void {
  for (const [id, entry] of Object.entries(chats.requested)) {
    // A request with no readable time (a hand-edited state) is forgotten too.
    if (typeof entry?.at === 'number' && now - entry.at <= WAITING_TTL_MS) continue;
    delete chats.requested[id];
    audit.push({ event: 'chat_request_expired', chat: id, title: String(entry?.title ?? id) });
  }
}

/**
 * Where a new request goes: `full` when the waiting list holds MAX_WAITING already (counted as turned away), else
 * `announce` while this run has sent fewer than REQUEST_MESSAGES_PER_RUN request messages, else `count` (kept, and
 * counted for the summary).
 */
export function admitRequest(chats: ChannelChats, now: number): 'announce' | 'count' | 'full' {
  const waiting = waitingOf(chats);
  if (Object.keys(chats.requested).length >= MAX_WAITING) {
    waiting.turnedAway++;
    return 'full';
  }
  if (waiting.runAt !== now) Object.assign(waiting, { runAt: now, announced: 0 });
  if (waiting.announced >= REQUEST_MESSAGES_PER_RUN) {
    waiting.unannounced++;
    return 'count';
  }
  waiting.announced += 1;
  return 'announce';
}

/** The one message that counts the requests not announced one by one, at most once per SUMMARY_INTERVAL_MS; undefined when none or too soon. */
export function requestSummary(chats: ChannelChats, now: number, audit: AuditEntry[]): string | undefined {
  const waiting = waitingOf(chats);
  if ((!waiting.unannounced && !waiting.turnedAway)) return undefined;
  if (waiting.summaryAt !== undefined && now - waiting.summaryAt < SUMMARY_INTERVAL_MS && now >= waiting.summaryAt) return undefined;
  const lines = [`${waiting.unannounced + waiting.turnedAway} more chat(s) asked to receive alerts:`];
  if (waiting.unannounced) lines.push(`${waiting.unannounced} are on the waiting list: /waiting lists them, /accept<id> allows one, /deny<id> drops one`);
  if (waiting.turnedAway) lines.push(`${waiting.turnedAway} were turned away: the waiting list holds at most ${MAX_WAITING} chats (a request is forgotten after ${WAITING_TTL_MS / 86_400_000} days); they can send /start again later`);
  audit.push({ event: 'chat_requests_summarised', unannounced: waiting.unannounced, turned_away: waiting.turnedAway });
  Object.assign(waiting, { unannounced: 0, turnedAway: 0, summaryAt: now });
  return lines.join('\n');
}
