import type { Stats } from 'node:fs';
import type { AlertBase } from '../model/alert.js';
import type { AlertDefaults } from '../model/config.js';
import type { Finding } from '../model/finding.js';
import type { SourceToken } from '../model/state.js';
import type { NoticeAction } from '../model/operation.js';
import type { SearchResponse } from '../model/search.js';
import type { Window } from '../model/window.js';

/** One due alert's request to its source, planned for a window; `request` is what `alertcron test` shows. */
export interface PlannedRequest<A extends AlertBase = AlertBase> {
  alert: A;
  window: Window;
  request: unknown;
}

/**
 * What a source gave for one alert: a search response for its rule type, ready findings, or that alert's error
 * (`rejected`: the source refused the alert's own request). `incomplete` says why the findings are not all that
 * matched: a warning, and no key is resolved for being absent.
 */
export type FetchOutcome =
  | { ok: true; response: SearchResponse }
  | { ok: true; findings: Finding[]; incomplete?: string; /** What the source keeps for this alert's next read (its cursor), saved only after a successful run. */ saved?: unknown }
  | { ok: false; error: string; rejected?: true };

/** The outcomes of one fetch, in the order of the plans, with the calls it took and the source's own failure (its health). */
export interface FetchResult {
  /** One per plan, but a plan whose outcome was told to fetch's `settle` has none here (a hole, undefined). */
  outcomes: (FetchOutcome | undefined)[];
  /** HTTP requests made. */
  calls: number;
  /** The source's own time answering them, as it reports it (the cluster's `took`, ms), when it does. */
  tookMs?: number;
  /** Set when the source itself could not be used (unreachable, refused, HTTP error): self-monitoring counts it. */
  failure?: string;
}

/** What an action did, for the person who asked: one line, and a link where there is one. */
export interface ActionResult {
  message: string;
  link?: string;
  /** Set when the action dealt with the item (e.g. `confirmed`, `closed`): its queued notices are dropped. */
  handled?: string;
  /** The item's fields after the action (e.g. {status: 'Approved'}): the notice's chat actions are recomputed from them. */
  labels?: Record<string, string>;
  /** The item as it is now, when the action re-read it (Refresh): the notice is re-rendered from it and edited. */
  finding?: Finding;
}

/**
 * A chat action a source offers on its alerts' notices (Telegram button, Slack reaction or reply): a NoticeAction
 * and, optionally, for which findings it applies, by the finding's labels (its scalar fields as dotted paths),
 * e.g. only while `status` is New. Asked when the notice is queued and again after an action changed the labels.
 */
export interface ChatActionSpec extends NoticeAction {
  appliesTo?(labels: Readonly<Record<string, string>>): boolean;
}

/** An action a source offers on one of its items (tag, promote ...): throws a DeliveryError when it fails. */
export type SourceAction = (key: string, args: Record<string, unknown>, signal?: AbortSignal) => Promise<ActionResult>;

/** A configured source: plans requests, fetches all due ones in as few calls as it allows, and performs actions. */
export interface Source<A extends AlertBase = AlertBase> {
  readonly name: string;
  /** The request for one alert over a window; `saved` is what the source kept after the alert's last successful read. */
  plan(alert: A, window: Window, saved?: unknown): PlannedRequest<A>;
  /**
   * Fetches every planned request of this source, one outcome per plan; `signal` (the run's deadline) cuts it short.
   * A source may tell `settle` a plan's outcome (by its index) as soon as it is final, before the fetch ends, so
   * that it is used and dropped at once; such a plan may then have no outcome in the result. It passes
   * `overlapped` true when a request of its own is in flight meanwhile (the time settle takes is then the source's too).
   */
  fetch(plans: PlannedRequest<A>[], now: number, signal?: AbortSignal, settle?: (index: number, outcome: FetchOutcome, overlapped?: boolean) => void): Promise<FetchResult>;
  /** The actions this source offers, by name. */
  actions: Record<string, SourceAction>;
  /**
   * For alerts that mail the person behind each finding (e.g. a case's reporter): to whom and with which
   * template, or why not. Undefined when the alert does not do that.
   */
  personalise?(alert: A, finding: Finding): Personalised | undefined;
  /** The action queued after a notice of this alert was delivered (e.g. a tag write-back), if any. */
  afterDelivery?(alert: A, reason: string): { name: string; args: Record<string, unknown> } | undefined;
}

/** A notice addressed to one person: the recipient and the template, or why it cannot be sent. */
export type Personalised = { to: string; template: { title: string; message: string } } | { skip: string };

/** A problem a source finds in an alert file, at a path inside it. */
export interface SourceProblem {
  path: (string | number)[];
  message: string;
  /** Where the problem is when it lies in another file the alert uses (its query file) rather than at `path`. */
  in?: { file: string; line: number; col: number };
}

/** What a source's alert checks and completion may use: the rest of the configuration and where files are. */
export interface AlertContext {
  /** This source's completed config section, or undefined when alertcron.yaml has none. */
  section: unknown;
  /** Set when alertcron.yaml could not be read whole: a missing section may just be unreadable, so it is no problem. */
  sectionUnknown?: boolean;
  /** The absolute path of the alert file. */
  path: string;
  queriesDir: string;
  /** The `defaults:` of alertcron.yaml. */
  defaults: AlertDefaults;
  /** Shows a path as users write it (relative to the configuration folder). */
  display(path: string): string;
  /** Told each input file read for the alert (its query file) with its stat as read: the parse cache keys on it, no second stat(). */
  readFile?(path: string, stat: Stats): void;
}

/**
 * A source plug-in as configuration sees it: its config section, its alert keys, their checks and completion,
 * and a lazy loader for the code that talks to it. Add a source as one folder in src/sources/ plus one line in
 * src/sources/registry.ts.
 */
export interface SourceDefinition<A extends AlertBase = AlertBase, C = unknown> {
  name: string;
  /** The alert keys only this source's alerts may use (others get a clear error). */
  alertKeys: readonly string[];
  /** Whether its alerts search a time window resumed run after run (else they read a current queue). */
  windowed: boolean;
  /** Completes its section of alertcron.yaml (already schema-checked, secrets resolved). */
  completeConfig(raw: Record<string, unknown>, configDir: string): C;
  /** Problems of an alert file that the schema cannot see. */
  checkAlert(raw: Record<string, unknown>, context: AlertContext): { problems: SourceProblem[]; extra?: Record<string, unknown> };
  /** The complete alert from the common part and its own keys. */
  completeAlert(raw: Record<string, unknown>, base: AlertBase, context: AlertContext, extra: Record<string, unknown> | undefined): A;
  /** The files other than the alert file its completion read (query, script ...): a change to one makes it checked again. */
  inputFiles?(alert: A): string[];
  /** Loads the code that talks to the source, configured with its section (and, for sources that log in, where their token is kept). */
  load(section: C, context?: SourceContext): Promise<Source<A>>;
  /**
   * The chat actions its alerts' notices offer (buttons on a Telegram bot, reactions and replies on a Slack app),
   * in order. An action with op promote or act is performed by this source (its `actions[action ?? name]`).
   */
  chatActions?: readonly ChatActionSpec[];
}

/** Where a source keeps its login token between runs: the state's `tokens.<source>` slice (local to this host). */
export interface TokenKeeper {
  get(): SourceToken | undefined;
  set(token: SourceToken | undefined): void;
}

/** What a loaded source may use besides its config section: its token keeper and the run's clock. */
export interface SourceContext {
  tokens: TokenKeeper;
  now(): number;
}
