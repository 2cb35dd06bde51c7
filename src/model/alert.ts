/** One step of an escalation ladder: after this age, these channels (for these severities only, if given). */
export interface EscalationTier {
  after: number;
  notify: string[];
  severity?: number[];
}

/** What every alert has, whatever its source: schedule, window, policy, channels and templates. */
export interface AlertBase {
  name: string;
  file: string;
  description: string;
  /** The source plug-in that finds what this alert is about (elasticsearch, thehive ...). */
  source: string;
  every: number;
  throttle: number | 'once';
  ingest_delay: number;
  max_catchup: number;
  lookback?: number;
  first_lookback: number;
  samples: number;
  notify: string[];
  /** Tiers by the age of what a finding is about (its normalised createdAt); each fires once per key. */
  escalation?: EscalationTier[];
  /** Words in a finding's normalised text that jump straight to the top tier. */
  high_risk_words: string[];
  /** When a notified key that stopped matching gets a resolved notice: after N runs without it, or after a span of time ({ ms }); undefined: no notices. */
  resolve_after?: number | { ms: number };
  title: string;
  /** The message template; when absent, a rule's own message or a default summary is used. */
  message?: string;
}

/** The pseudo-alert name under which alertcron's own notices (self-monitoring) are delivered and audited. */
export const SELF_ALERT = '_alertcron';
