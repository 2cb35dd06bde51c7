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
  /** exponential_throttle: while a key keeps firing its throttle doubles, up to this (ms); unset: a fixed throttle. */
  throttle_cap?: number;
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
  /** A Sigma alert's rule metadata as text, for `{{sigma.<name>}}` in its templates (title, level, author, attack ...). */
  sigma?: Record<string, string>;
  /** Ask the person involved before telling anyone (their chat, 2FA, then the escalation channels). */
  ask?: AskPolicy;
  /** Collect findings into one digest per period (and per `per` value) on the digest channels, instead of one notice each. */
  digest?: DigestPolicy;
}

/** An alert's `digest:` completed: its period, what splits and fills the table, and which channels get digests. */
export interface DigestPolicy {
  /** A period of this length (ms) from the first finding collected; or else `schedule`. */
  every?: number;
  /** A 5-field cron expression: the digest is due at its next time after the first finding. */
  schedule?: string;
  /** The IANA time zone of `schedule`; undefined: the machine's local zone. */
  timezone?: string;
  /** The fields whose values split the digests (aggregation_key); empty: one digest for the alert. */
  per: string[];
  /** The table's columns. */
  fields: string[];
  max_rows: number;
  /** When set, a finding goes to the period of its event time, read from this field (the alert's timestamp field) or its createdAt. */
  by_match_time?: { field?: string };
  /** The channels (of notify) that get digests; the alert's other channels get each notice at once. */
  channels: string[];
}

/** The pseudo-alert name under which alertcron's own notices (self-monitoring) are delivered and audited. */
export const SELF_ALERT = '_alertcron';

/** The hours in which an answer deadline runs: on these weekdays (0 = Sunday), from..to minutes after midnight, in a time zone. */
export interface WorkingHours {
  days: number[];
  from: number;
  to: number;
  timezone: string;
}

/** How the chat and Duo know a person the findings name by a user name (a line of the `ask.people` file). */
export interface PersonEntry {
  email?: string;
  /** A Slack user id (U…), when the email is not the way to find them. */
  slack?: string;
  /** A Telegram user id (their private chat with the bot has the same id). */
  telegram?: string;
  /** The Duo user name, when it differs from the name the findings use. */
  duo?: string;
}

/** Ask the person a finding is about whether it was them, confirm a yes with 2FA, escalate a no or silence. */
export interface AskPolicy {
  /** The finding field that names the person (an email or a user name). */
  person: string;
  /** People by user name, from the optional `people` file. */
  people: Record<string, PersonEntry>;
  /** The Slack app or Telegram bot channel to ask on. */
  via: string;
  /** The question template (finding fields as placeholders). */
  question: string;
  /** How long the person has to answer (ms), counted in working hours when those are set. */
  deadline: number;
  working_hours?: WorkingHours;
  /** Whether a yes is confirmed with a Duo push before the matter closes. */
  two_factor: boolean;
  /** The channels an escalation goes to. */
  escalate: string[];
  /** How long a confirmed yes quiets this alert for this person (ms). */
  quiet_after_yes: number;
  /** Link templates added to the escalation notice (a dashboard, the log search ...). */
  links: string[];
}
