/** What a condition found: one key that matched, with what templates and channels need. */
export interface Finding {
  key: string;
  count: number;
  fields: Record<string, unknown>;
  samples: Record<string, unknown>[];
  message?: string;
}

/** The key of a finding for an alert that does not group its matches. */
export const UNGROUPED_KEY = '_all';
