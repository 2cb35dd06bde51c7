/**
 * What a backtest chart page shows of one alert: the value its rule type counted at every step, the threshold it
 * compared against, the steps where a notice would have been sent, held back, resolved or escalated, the notices
 * as a table, and the query and settings used. Built by the backtest (src/run), drawn by src/render/html.
 *
 * Step i (0-based) is the run whose window ends at `span.from + (i + 1) * every` (epoch ms); its run happens
 * `ingestDelay` later.
 */
export interface BacktestChart {
  alert: string;
  /** The alert's rule type (count, frequency, flatline, any, ...). */
  ruleType: string;
  /** The span replayed: the first window's start and the last window's end, epoch ms. */
  span: { from: number; to: number };
  /** One step per `every` ms. */
  every: number;
  ingestDelay: number;
  steps: number;
  /** What the values are, for the axis and the tooltip: "events per window", "distinct user.name", "avg of bytes" ... */
  valueLabel: string;
  /** The value per step, all keys together (the number the rule compared, or the events found when it compares per key); null where the step failed or the rule type counts nothing. */
  total: (number | null)[];
  /**
   * Per-key values per step (null: the key had no value at that step). Every key when there are at most
   * `CHART_KEYS_ALL` keys (`keysShown: 'all'`), else the `CHART_TOP_KEYS` keys with the most notices, then the
   * highest peak value (`keysShown: 'top'`), among the keys whose values were all kept (see `keysLetGo`). Empty for rule types without keys.
   */
  keys: { key: string; values: (number | null)[] }[];
  keysShown: 'all' | 'top';
  /** How many distinct keys the backtest saw in all. */
  keysTotal: number;
  /**
   * How many keys had their values let go while replaying, to stay within the memory budget (absent when none):
   * those keys get no line, even with the most notices (their notices are still marked and listed).
   */
  keysLetGo?: number;
  /** Lines the rule compares against (count gt 10: one at 10; a range: two); absent for rule types without a number (any, new_term ...). */
  thresholds: { value: number; label: string }[];
  /** Every step with something to mark, at its exact step (never thinned out by downsampling). */
  markers: ChartMarker[];
  /** The notices it would have sent, for the table (time, key, reason, title, channels). */
  notices: { at: number; key: string; reason: string; title: string; channels: string[] }[];
  /** The request body of the last searched step (secrets none: it is the query the alert sends), shown as JSON. */
  query: unknown;
  /** The alert's settings that shape the result (every, lookback, ingest_delay, throttle, condition ...), shown as a table. */
  settings: Record<string, string>;
  /** Requests made, failed steps and their first errors. */
  requests: number;
  failedSteps: number;
  errors: string[];
}

/** One thing that happened at one step: a notice sent, a finding held back by the throttle (or `once`), a resolve, an escalation tier, a failed search. */
export interface ChartMarker {
  step: number;
  /** The run's time, epoch ms. */
  at: number;
  kind: 'sent' | 'held' | 'resolved' | 'escalated' | 'failed';
  /** The key concerned ('' for the whole alert, or a failed step). */
  key: string;
  /** first, repeat, throttled, once, resolved, tier-1 ... or the error of a failed step. */
  reason: string;
}

/** At most this many keys: every key gets its own line. */
export const CHART_KEYS_ALL = 5;
/** With more keys than CHART_KEYS_ALL: this many top keys get a line (the total line is always drawn). */
export const CHART_TOP_KEYS = 5;
