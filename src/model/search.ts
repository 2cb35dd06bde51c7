/** One search: the index pattern and the request body. */
export interface SearchRequest {
  index: string;
  body: Record<string, unknown>;
}

/** The parts of an Elasticsearch / OpenSearch search response alertcron reads. */
export interface SearchResponse {
  took?: number;
  timed_out?: boolean;
  _shards?: { total?: number; failed?: number; failures?: { reason?: { type?: string; reason?: string } }[] };
  hits?: { total?: number | { value: number; relation: string }; hits?: { _id: string; _index: string; _source?: Record<string, unknown> }[] };
  aggregations?: Record<string, unknown>;
  /** The answer to the rule type's second search of the same run (see RuleType.followUp), when it asked for one. */
  followUp?: SearchResponse;
  /** Why the rule type's second search failed, when its rule type judges without it (see RuleType.followUpOptional). */
  followUpError?: string;
}
