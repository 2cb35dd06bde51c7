import type { ChannelSecret } from '../channels.js';
import type { Origin } from '../readRules.js';

/** A note of the import: an option not converted, or converted with a difference, at `file:line`. */
export interface ImportNote {
  where: string;
  option: string;
  message: string;
}

/** A channel an alerter converts into: its settings and the literal secrets that become variables. */
export interface AlerterChannel {
  config: Record<string, unknown> & { type: string };
  secrets: ChannelSecret[];
}

/** One alerter of a rule as a converter sees it: its options over the rule's, and how to take, note and place them. */
export interface AlerterContext {
  /** The alerter's name as the rule writes it (`email`, `post2`, `ms_teams` ...). */
  name: string;
  /** The rule file, as shown (ElastAlert2 finds a jira_account_file next to it). */
  ruleFile: string;
  /** The alerter's own options over the rule's (ElastAlert2 reads both). */
  options: Record<string, unknown>;
  /** Where the alerter was named in `alert:`. */
  origin: Origin;
  /** `file:line` of an option, or of a value inside it. */
  where: (key: string, ...inside: (string | number)[]) => string;
  /** A note on an option, at its line. */
  note: (key: string, message: string) => void;
  /** A note at the alerter's own line in `alert:` (a required option that is missing). */
  noteAlerter: (option: string, message: string) => void;
  /** A note at a place already found (`where`), for an option named as given. */
  noteAt: (where: string, option: string, message: string) => void;
  /** The value of an option, marking it used. */
  take: (key: string) => unknown;
  /** Whether an option has been taken (or noted). */
  isUsed: (key: string) => boolean;
  /** Marks an option used without a note. */
  use: (key: string) => void;
  /** A note for each of these options that is set: not converted, and why. */
  unsupported: (keys: string[], why: string) => void;
  /** A note for every option of this prefix not taken yet. */
  rest: (prefix: string, why: string) => void;
  /**
   * No channel: the alerter lacks `option` (its destination), or `why` (what it does instead) when given, noted at
   * its line, and its other `prefix` options go with it. Returns no channel.
   */
  refuse: (option: string, prefix: string, why?: string) => AlerterChannel[];
  /** A literal secret of the channel (its key there), written under `option`. */
  secret: (key: string, option: string, value: unknown) => ChannelSecret;
}

/** A plain local@domain address out of an ElastAlert2 recipient (which may be `Name <addr>`). */
export function address(text: string, domain: string | undefined): string {
  const inner = /<([^>]+)>/.exec(text)?.[1] ?? text;
  const trimmed = inner.trim();
  return domain && !trimmed.includes('@') ? `${trimmed}@${domain.replace(/^@/, '')}` : trimmed;
}

/** A string or a list (or a comma-separated string) as a list of strings. */
export function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/** A plain mapping, or undefined. */
export function mappingOf(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
