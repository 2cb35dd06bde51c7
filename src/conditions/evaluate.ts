import type { AlertDef } from '../config/types.js';
import type { Window } from '../run/buildSearch.js';
import type { SearchResponse } from '../sources/elasticsearch.js';
import { evaluateBuckets } from './buckets.js';
import { evaluateCount } from './count.js';
import type { Finding } from './finding.js';
import { evaluateScript } from './script.js';

/** Turns one alert's search response into findings according to its condition. */
export async function evaluate(alert: AlertDef, response: SearchResponse, window: Window): Promise<Finding[]> {
  const condition = alert.condition;
  switch (condition.type) {
    case 'any':
      return evaluateCount(alert, response, { gte: 1 });
    case 'count':
      return evaluateCount(alert, response, condition);
    case 'buckets':
      return evaluateBuckets(condition, response);
    case 'script':
      return evaluateScript(alert, condition, response, window);
  }
}
