import type { Conversation } from './conversation.js';
import type { DigestTable } from './digest.js';
import type { NoticeAction } from './operation.js';
import type { Receipt } from './receipt.js';
import type { Window } from './window.js';
import type { AlertOp, QueuedAsk } from './partition.js';
import { plainMap } from '../util/plainMap.js';

/** What alertcron remembers about one key of one alert. */
export interface KeyState {
  firstSeen: number;
  lastSeen: number;
  lastFired?: number;
  /** When the key's current firing episode began: the run that notified it new, or again after it was resolved (absent from state written before it was kept). */
  firingSince?: number;
  fired: number;
  /** When each channel last accepted a notice of this key. */
  delivered: Record<string, number>;
  /** The receipt of that notice per channel (absent when it was empty), at its time: what a repeat or resolve builds on without reading the receipt log. */
  opened?: Record<string, { at: number; receipt?: import('./receipt.js').Receipt }>;
  /** Set by `ack`: no repeats until the key stops matching. */
  acknowledged?: { at: number; by: string };
  /** Set when the key was dealt with elsewhere (e.g. promoted to a TheHive case): its queued notices are dropped. */
  handled?: { at: number; by: string; how: string };
  /** When the key last got resolved (stopped matching): notices queued before then are not sent. */
  resolvedAt?: number;
  /** Runs in a row that did not find this key since it was last seen. */
  missedRuns?: number;
  /** The last notified title, for its resolved notice. */
  lastTitle?: string;
  /** With exponential_throttle: the key's current throttle (ms) and how many times it has doubled. */
  throttle?: number;
  exponent?: number;
  /** The highest escalation tier already sent for this key (0-based). */
  tier?: number;
}

/** A silence set from the shell or chat: findings it matches are audited, not sent, until it ends. */
export interface Silence {
  id: string;
  /** The alert's name, or `*` for every alert (e.g. `hive ignore`). */
  alert: string;
  key?: string;
  match?: { field: string; value: string };
  createdAt: number;
  endsAt: number;
  comment: string;
  author: string;
}

/** How a source has been doing, for self-monitoring notices and `status`. */
export interface SourceHealth {
  failures: number;
  since?: number;
  lastError?: string;
  notified?: boolean;
}

/** What alertcron remembers about one alert: its last searched window, its keys and its rule type's state. */
export interface AlertState {
  window?: Window;
  lastRunAt?: number;
  lastError?: string;
  keys: Record<string, KeyState>;
  /** Where the first window began, kept while the first searches fail (so the start does not slide). */
  start?: number;
  /** Where the last few long (catch-up) windows began: where to resume if the clock turns out to have jumped. */
  catchups?: number[];
  /** The small state a rule type keeps between runs (e.g. last values per key), or an item source's read cursor. */
  rule?: unknown;
  /** Why the alert cannot fire, by kind (index, group_by, buckets, timestamp_field, template), as its runs showed it (run/alertProblems.ts). */
  problems?: Record<string, AlertProblem>;
  /** The problems told and then shown gone, by kind, kept a day so that each kind is told and told fixed at most once a day. */
  problemsGone?: Record<string, GoneProblem>;
  /** When the daily field check last looked at this alert's timestamp_field (inspect/fieldCheck.ts). */
  fieldsCheckedAt?: number;
  /** When the field check's search for this alert last failed (it is tried again an hour later). */
  fieldsCheckFailedAt?: number;
  /** The open digests: findings collected for the digest channels, one bucket per period and `per` value, until due. */
  digests?: DigestBucket[];
}

/** Findings collected for one digest (one period, one `per` value): the table so far, bounded by max_rows. */
export interface DigestBucket extends DigestTable {
  /** When it is sent (epoch ms): the period's end for `every`, the next cron time for `schedule`. */
  due: number;
  /** Short hashes of the distinct keys collected (never the keys), at most DIGEST_KEYS_KEPT (then `keysMore` is set): the title counts them. */
  keys: string[];
  keysMore?: boolean;
  /** Set on the bucket that takes the findings of new `per` values once the alert has no room for a bucket of their own. */
  other?: boolean;
}

/** A reason an alert cannot fire, kept from the run that first showed it until a run shows it gone. */
export interface AlertProblem {
  /** What is wrong and what to do, in one line. */
  message: string;
  /** When a run first showed it, and when one last did. */
  since: number;
  lastSeen: number;
  /** When it was last told (stderr, audit log, monitoring channels); unset while it has not lasted long enough. */
  toldAt?: number;
  /** How many runs have shown it since it was first seen (none of them showed it gone). */
  runs?: number;
  /** The alert's settings it was judged against (index, group_by ... as JSON): when they change, it is forgotten. */
  against?: string;
}

/** When a problem that is gone was last told, and when its end was last told (epoch ms). */
export interface GoneProblem {
  toldAt: number;
  fixedAt?: number;
}

/** A source action queued like a delivery (e.g. tagging a TheHive alert after a notice): retried the same way. */
export interface PendingAction {
  /** The source that performs it (thehive ...). */
  source: string;
  /** The action's name in that source (tag ...). */
  name: string;
  /** Its arguments (e.g. the tags to add). */
  args: Record<string, unknown>;
}

/** A notice to one channel (or a source action) that has not been accepted yet; the next run retries it. */
export interface PendingDelivery {
  id: string;
  alert: string;
  key: string;
  /** The channel to send on; absent for a source action. */
  channel?: string;
  /** The source action to perform instead of a notice. */
  action?: PendingAction;
  reason: string;
  title: string;
  message: string;
  createdAt: number;
  attempts: number;
  lastError?: string;
  /** Recipients that replace the channel's own: case feedback mails, and the recipients a server refused for now. */
  to?: string[];
  /** Not to be tried before this time: when the service's Retry-After ends. */
  notBefore?: number;
  /** A few string fields of the finding, so that a `--match` silence set later still applies before sending. */
  labels?: Record<string, string>;
  /** The finding's fields the labels leave out (long values, lists), bounded, for channels that map fields; never for silences. */
  values?: Record<string, string | string[]>;
  /** The chat actions the notice offers (buttons, reactions, replies), from its alert's source. */
  actions?: NoticeAction[];
  /** The short opaque reference chat actions on this notice carry (Telegram button data, `/ack <ref>`). */
  ref?: string;
  /** What the chats that already got it gave back (a partly failed send): kept for replies there and the final receipt. */
  partial?: Receipt;
  /** The window of the run that found it (a digest: its period): what a create-once channel derives its dedupe reference from. */
  window?: Window;
  /** A digest notice's summary table (its title and message also say it in plain text): channels render it in their format. */
  digest?: DigestTable;
}

/** A notice a channel accepted, with what the provider gave back: ties a later reply or press to (alert, key, notice). */
export interface SentNotice {
  id: string;
  alert: string;
  key: string;
  channel: string;
  reason: string;
  at: number;
  receipt: Receipt;
  /** The chat actions the notice offered when sent (text commands may ask for any of them). */
  actions?: NoticeAction[];
  /** What its message offers now, after the actions taken on it (its buttons); unset: all of `actions`. */
  offered?: NoticeAction[];
  /** The notice's short reference (Telegram button data, `/ack <ref>`). */
  ref?: string;
  /** Its title, for the thread confirmations and edits. */
  title?: string;
}

/** A chat known to a reading channel: its id, a name to show, and who allowed (or banned) it when. */
export interface ChatEntry {
  id: string;
  /** The chat's title or the person's name, as Telegram gave it (shown as plain text only). */
  title: string;
  /** private, group, supergroup ... */
  kind: string;
  at: number;
  by?: string;
  /** The short reference the administrator's Allow / Ignore / Block buttons carry. */
  ref?: string;
}

/** The chats of one bot channel: allowed (receive notices, may act), waiting for the administrator, banned (ignored). */
export interface ChannelChats {
  allowed: Record<string, ChatEntry>;
  requested: Record<string, ChatEntry>;
  banned: Record<string, ChatEntry>;
  /** How join requests reached the administrator: the run that last sent some and how many, those only counted, and the last summary. */
  waiting?: { runAt?: number; announced: number; unannounced: number; turnedAway: number; summaryAt?: number };
}

/** One chat action as `status` shows it: who did what, from where, when, and what came of it (refusals too). */
export interface ChatLogEntry {
  at: number;
  channel: string;
  chat: string;
  by: string;
  what: string;
  ok: boolean;
  result: string;
}

/**
 * A source's login token (e.g. MaxPatrol's OAuth access token) with its expiry, reused across runs so that a run
 * does not log in every minute. It is a credential: never printed, logged or sent anywhere.
 */
export interface SourceToken {
  value: string;
  /** When it was obtained and when it expires (epoch ms, the run's clock). */
  obtainedAt: number;
  expiresAt: number;
  /** Whose token it is (a hash of the login endpoint and user): a token of another user or server is not reused. */
  owner?: string;
}

/** A summary of the last run, for `status`. */
export interface LastRun {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** The last successful run, for status and the heartbeat. */
  lastSuccessAt?: number;
}

/** One run in the bounded history `status` shows (the latest RUN_HISTORY_KEPT full runs, newest last). */
export interface RunRecord {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** Alerts evaluated (due), and of them those that failed (their source or query). */
  alerts: number;
  alertsFailed: number;
  /** Deliveries made by this run, accepted and refused, and notices still pending after it. */
  delivered: number;
  deliveriesFailed: number;
  pending: number;
  /** The first error of the run, on one line (a failed alert's, then a failed delivery's), when there was one. */
  firstError?: string;
}

/** An answer owed for an applied chat action: the channel, when it was applied, and what came of it (the channel's ChatOutcome). */
export interface OwedAnswer {
  channel: string;
  at: number;
  outcome: unknown;
}

/** The whole state. */
export interface StateData {
  version: 1;
  alerts: Record<string, AlertState>;
  pending: PendingDelivery[];
  /** Notices accepted by their channels, newest last, kept for `prune_after`. */
  sent: SentNotice[];
  silences: Silence[];
  sources: Record<string, SourceHealth>;
  /** Where each reading channel's inbox was read up to (its own cursor format). */
  cursors: Record<string, unknown>;
  /** Conversations of `ask` alerts with the people findings are about, open ones and closed ones kept for quiet periods. */
  conversations: Conversation[];
  /** The chats each bot channel knows (the administrator's allow-list). */
  chats?: Record<string, ChannelChats>;
  /** The latest chat actions, applied or refused, newest last (for `status`). */
  chatLog?: ChatLogEntry[];
  /** Chat actions already applied, by their id, with when: a run killed before storing its cursor does not apply them twice. */
  chatDone?: Record<string, number>;
  /** Chat actions applied but not yet confirmed in chat: kept until the chat service accepted the answer (this run or a later one). */
  chatOwed?: OwedAnswer[];
  lastRun?: LastRun;
  /** The latest full runs, newest last (at most RUN_HISTORY_KEPT; with the cluster backend this host's own, a local slice). Absent in older states: no history. */
  runs?: RunRecord[];
  /**
   * With the partitioned cluster store only: changes to alerts' keys waiting for the hosts holding their partitions
   * (documents `op:<id>`); absent with the file backend, where every change is applied at once.
   */
  ops?: AlertOp[];
  /** With the partitioned cluster store only: the coordinator's watch over the hosts whose heartbeat went stale, by host id (told like a failing source). */
  hostHealth?: Record<string, SourceHealth>;
  /** With the partitioned cluster store only: ask findings handed to the coordinator, which holds the conversations (documents `ask:<id>`). */
  asks?: QueuedAsk[];
  /**
   * Login tokens of sources, by source name (`tokens.maxpatrol`). The one place tokens live: they belong to this
   * host only, so a state shared with other hosts (kept in the cluster) must leave this slice out and keep it
   * local. Only sources read and write it, through a TokenKeeper; no command prints it.
   */
  tokens?: Record<string, SourceToken>;
}

/**
 * The slices of the state that belong to one host and never leave it, whatever the backend: how each source has
 * been doing (every host judges the cluster from where it stands, and must be able to say "cluster down" when the
 * cluster is the store), and `tokens` (credentials a source obtained, e.g. a SIEM session: secrets stay on the host), and `runs` (this host's own run history).
 * A shared backend keeps these in a local file beside the host's other files and everything else in the shared store.
 */
export const LOCAL_SLICES: readonly string[] = ['sources', 'tokens', 'runs'];
/** The chats of a bot channel, created empty on first use. */
export function chatsOf(data: StateData, channel: string): ChannelChats {
  data.chats ??= plainMap();
  return (data.chats[channel] ??= { allowed: plainMap(), requested: plainMap(), banned: plainMap() });
}

/** A fresh, empty state. */
export function emptyState(): StateData {
  return { version: 1, alerts: plainMap(), pending: [], sent: [], silences: [], sources: plainMap(), cursors: plainMap(), conversations: [] };
}

/** Where a pending item goes, for people: the channel, or `source.action`. */
export function targetOf(item: Pick<PendingDelivery, 'channel' | 'action'>): string {
  return item.channel ?? (item.action ? `${item.action.source}.${item.action.name}` : '?');
}
