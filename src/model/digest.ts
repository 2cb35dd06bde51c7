/** One line of a digest's summary table: a distinct combination of the chosen fields' values, and how often it came. */
export interface DigestRow {
  /** The values of the digest's columns, as plain text (never markup: each channel escapes them for itself). */
  cells: string[];
  /** How many findings (their `count`s summed) had exactly these values in the period. */
  count: number;
  /** When the first and the last of them were collected (epoch ms). */
  first: number;
  last: number;
}

/** The summary table a digest notice carries: its period, its columns and rows, and what did not fit. */
export interface DigestTable {
  /** The period it covers, [from, to) (epoch ms). */
  from: number;
  to: number;
  /** The value of the digest's `per` field(s) this digest is for, when it is split; unset: one digest for the alert. */
  group?: string;
  /** Column headings: the chosen field names, in order (the count is a column of its own when rendered). */
  columns: string[];
  /** The rows, most frequent first (ties: first collected first), at most the digest's max_rows. */
  rows: DigestRow[];
  /** How many findings were collected in the period in all (each counted once, whatever its count). */
  findings: number;
  /** How many of those are in no row (beyond max_rows): counted, not listed. */
  omitted: number;
  /** A Sigma alert's DRL 1.1 attribution line, which every rendering of the digest shows in its caption. */
  attribution?: string;
}
