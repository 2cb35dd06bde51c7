import type { AlertBase } from '../../model/alert.js';
import type { ClusterConnection } from '../../model/config.js';
import type { RuleAlert } from '../../rules/types.js';
import type { SigmaRuleRef } from './sigmaAlert.js';

/** Connection settings for the Elasticsearch / OpenSearch cluster (the `elasticsearch:` section), secrets resolved. */
export interface ElasticsearchConfig extends ClusterConnection {
  msearch_chunk: number;
  /** `_msearch` requests in flight at a time (default 1). */
  msearch_concurrency?: number;
  /** Most alerts fused into one search (1: every alert's search goes on its own). */
  fuse_alerts: number;
}

/** An alert over an index: its query, rule (condition) and grouping. */
export interface SearchAlertDef extends AlertBase, RuleAlert {
  source: 'elasticsearch';
  query_file?: string;
  /** A Sigma alert's rule: its file, the fields its query reads (for validate --cluster) and the files compiling read. */
  sigma_rule?: SigmaRuleRef;
}

/** What an Elasticsearch alert adds to its common part (AlertBase), its source named: what completeAlert assigns over it. */
export type SearchAlertPart = Omit<SearchAlertDef, Exclude<keyof AlertBase, 'source'>>;
