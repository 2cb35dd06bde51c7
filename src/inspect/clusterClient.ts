import { readCaFile } from '../util/readInputFile.js';
import type { ElasticsearchConfig } from '../sources/elasticsearch/types.js';
import { keepAliveAgent, request } from '../http/post.js';
import { authHeaders } from '../sources/elasticsearch/msearch.js';
import { errorMessage } from '../util/errors.js';
import { describeClusterError } from '../sources/elasticsearch/esError.js';
import { redact } from '../util/redact.js';

/** A JSON answer of the cluster: its HTTP status and parsed body (undefined when it was not JSON). */
export interface ClusterAnswer {
  status: number;
  body: any;
}

/** Thrown when the cluster cannot be reached at all (refused, timed out, TLS): every later check would fail the same way. */
export class ClusterUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterUnreachable';
  }
}

/** A small read-only JSON client for the checks of `validate --cluster`, `test` and `run --verbose`. */
export class ClusterClient {
  private readonly ca: string | undefined;
  private readonly agent: ReturnType<typeof keepAliveAgent>;

  constructor(readonly config: ElasticsearchConfig) {
    this.ca = config.ca_file ? readCaFile(config.ca_file, 'elasticsearch.ca_file') : undefined;
    this.agent = keepAliveAgent(this.ca);
  }

  /** Sends one request; throws ClusterUnreachable when no answer came, returns any HTTP answer. */
  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ClusterAnswer> {
    const headers: Record<string, string> = { ...authHeaders(this.config), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let answer;
    try {
      answer = await request(method, new URL(this.config.url + path), body === undefined ? undefined : JSON.stringify(body), { headers, ca: this.ca, agent: this.agent, timeoutMs: this.config.timeout });
    } catch (error) {
      const e = error as { name?: string; code?: string; cause?: { code?: string } };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : errorMessage(error);
      throw new ClusterUnreachable(redact(`cannot reach ${this.config.url}: ${why}`));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = undefined;
    }
    if (answer.status === 401 || answer.status === 403) throw new ClusterUnreachable(redact(`${this.config.url} answered HTTP ${answer.status}: ${errorReason(parsed) ?? 'check the credentials in alertcron.yaml'}`));
    return { status: answer.status, body: parsed };
  }

  /** Closes the kept-alive connection. */
  close(): void {
    this.agent.destroy();
  }
}

/** The index part of a URL path: the pattern as written, with characters a URL cannot hold escaped. */
export function indexPath(index: string): string {
  return encodeURIComponent(index).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

/** The reason in an Elasticsearch error body, with its causes (as a run reports it), or undefined. */
export function errorReason(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (!error) return undefined;
  return describeClusterError(error);
}
