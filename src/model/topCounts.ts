/** The top values of one field among a finding's events, most frequent first (top_count_keys). */
export interface TopCount {
  field: string;
  values: { value: string; count: number }[];
}
