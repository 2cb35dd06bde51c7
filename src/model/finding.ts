import type { TopCount } from './topCounts.js';

/** What a rule or a source found: one key that matched, with what templates and channels need. */
export interface Finding {
  key: string;
  count: number;
  fields: Record<string, unknown>;
  samples: Record<string, unknown>[];
  message?: string;
  /**
   * The time span `count` covers when it is not the run's window: the timeframe a type counted over (epoch ms,
   * [from, to)). `{{from}}`, `{{to}}` and the default message name it.
   */
  counted?: { from: number; to: number };
  /** When the thing behind the key was created (epoch ms), for escalation by age; absent: now. */
  createdAt?: number;
  /** Its severity on the source's scale, for tiers limited to some severities. */
  severity?: number;
  /** Its texts (title, description, tags ...), searched for high-risk words. */
  text?: string[];
  /** The top values of the alert's top_count_keys among its events, per field in the order the alert names them. */
  top_counts?: TopCount[];
}

/** The key of a finding for an alert that does not group its matches. */
export const UNGROUPED_KEY = '_all';
