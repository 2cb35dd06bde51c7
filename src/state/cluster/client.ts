import { readCaFile } from '../../util/readInputFile.js';
import { isTimeout, keepAliveAgent, request } from '../../http/post.js';
import { errorMessage } from '../../util/errors.js';
import { redact, redactedExcerpt } from '../../util/redact.js';

import type { ClusterConnection } from '../../model/config.js';

/** How to reach the cluster that keeps the state (the model's connection settings, re-exported for the state's users). */
export type { ClusterConnection };

/** Why a state request was cut by the run's deadline rather than by the connection's own timeout. */
const RUN_ENDED = "no answer within what was left of run.deadline (at least 2s a request)";

/** The least time a run's state request gets, even after its deadline: enough for a healthy cluster, short for a slow one. */
const LATE_REQUEST_MS = 2_000;

/** An answer of the cluster: its HTTP status and parsed body. */
export interface ClusterAnswer {
  status: number;
  body: any;
}

/** The cluster could not be reached, or answered with an error that is not about one document (5xx, 401, 403 ...). */
export class ClusterUnreachable extends Error {}

/**
 * A small JSON client for the state index, counting its requests and writes (the benchmark reports them).
 * Transport failures and cluster-wide errors throw ClusterUnreachable; per-document answers (404, 409) are returned.
 */
export class StateClient {
  requests = 0;
  writes = 0;
  /** Documents written (each action of a `_bulk` counts). */
  docs = 0;
  /** Why the first request that failed as a whole failed (a dropped connection, a timeout, a 5xx ...), if one did. */
  failure: string | undefined;
  private readonly ca: string | undefined;
  private readonly agent: ReturnType<typeof keepAliveAgent>;

  /**
   * `endsAt` (epoch ms, a run's deadline) bounds every request by what is left until then, whatever the connection's
   * timeout, and at least LATE_REQUEST_MS: a cluster that accepts connections but answers slowly cannot hold the run
   * long past its deadline, and a request made after it is still sent (a host paused past its lease still learns it
   * was fenced, exit 5, rather than taking the cluster for lost).
   */
  constructor(private readonly connection: ClusterConnection, private readonly endsAt?: number) {
    this.ca = connection.ca_file ? readCaFile(connection.ca_file, 'elasticsearch.ca_file') : undefined;
    this.agent = keepAliveAgent(this.ca);
  }

  /**
   * Sends one request; `write` counts it as a write. 404 and 409 are answers (400 too with badRequestIsAnswer), other
   * errors throw, and are noted as the cluster's failure unless `bestEffort` (a chore or a read for a message, whose
   * caller goes on without it: a claims prune cut at the run's deadline does not make a recorded run a lost one).
   */
  async send(method: string, path: string, body?: unknown, options: { write?: boolean; ndjson?: boolean; badRequestIsAnswer?: boolean; bestEffort?: boolean } = {}): Promise<ClusterAnswer> {
    const fail = (message: string) => (options.bestEffort ? new ClusterUnreachable(message) : this.failed(message));
    const timeoutMs = this.endsAt === undefined ? this.connection.timeout : Math.min(this.connection.timeout, Math.max(LATE_REQUEST_MS, this.endsAt - Date.now()));
    this.requests++;
    if (options.write) this.writes++;
    const headers: Record<string, string> = { accept: 'application/json', ...this.auth() };
    let text: string | undefined;
    if (body !== undefined) {
      text = options.ndjson ? (body as unknown[]).map((line) => `${JSON.stringify(line)}\n`).join('') : JSON.stringify(body);
      headers['content-type'] = options.ndjson ? 'application/x-ndjson' : 'application/json';
    }
    let answer;
    try {
      answer = await request(method, new URL(`${this.connection.url}${path}`), text, { headers, ca: this.ca, agent: this.agent, timeoutMs });
    } catch (error) {
      throw fail(`${method} ${path.split('?')[0]}: ${isTimeout(error) && timeoutMs < this.connection.timeout ? RUN_ENDED : redact(errorMessage(error))}`);
    }
    let parsed: any;
    try {
      parsed = answer.text ? JSON.parse(answer.text) : {};
    } catch {
      // Not the cluster's own answer (a proxy's page, a body cut short): as good as no answer.
      if (answer.status < 300 || answer.status === 404 || answer.status === 409) throw fail(`${method} ${path.split('?')[0]} answered HTTP ${answer.status} with a body that is not JSON`);
      parsed = { error: redactedExcerpt(answer.text, 200) };
    }
    if (answer.status === 400 && options.badRequestIsAnswer) return { status: answer.status, body: parsed };
    if (answer.status >= 300 && answer.status !== 404 && answer.status !== 409) {
      const reason = parsed?.error?.reason ?? parsed?.error?.type ?? (typeof parsed?.error === 'string' ? parsed.error : '');
      throw fail(`${method} ${path.split('?')[0]} answered HTTP ${answer.status}${reason ? `: ${redact(String(reason))}` : ''}`);
    }
    return { status: answer.status, body: parsed };
  }

  /** Notes the first failure (also one a caller found in an answer, e.g. a `_bulk` short of results) and returns the error to throw. */
  failed(message: string): ClusterUnreachable {
    this.failure ??= message;
    return new ClusterUnreachable(message);
  }

  /** Closes the kept-alive connection. */
  close(): void {
    this.agent.destroy();
  }

  private auth(): Record<string, string> {
    const c = this.connection;
    if (c.api_key) return { authorization: `ApiKey ${c.api_key}` };
    if (c.username !== undefined) return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}` };
    return {};
  }
}
