import { readCaFile } from '../../util/readInputFile.js';
import type { ElasticsearchConfig } from './types.js';
import type { SearchRequest, SearchResponse } from '../../model/search.js';
import { redact } from '../../util/redact.js';
import { errorMessage } from '../../util/errors.js';
import { keepAliveAgent, post } from '../../http/post.js';
import { mapLimit } from '../../util/mapLimit.js';
import { oneLine } from '../../util/text.js';
import { describeClusterError } from './esError.js';
import { stretchableSignal, type StretchableSignal } from '../../util/signal.js';
import { searchBodyJson } from './fuse.js';
import { jsonArrayItems } from '../../util/jsonArrayItems.js';

/**
 * The answer to one search: its response, or why it failed (that search's error only); `rejected` when the
 * cluster refused the search itself (a query it cannot parse): the alert's fault, not the cluster's.
 */
export type SearchOutcome = { ok: true; response: SearchResponse } | { ok: false; error: string; rejected?: true; /** The cluster answered this search with an error of its own (not a failure of the request). */ own?: true };

/**
 * The outcomes of a chunk's searches: `at(k)` is that of its k-th search. Read from the answer's text when asked
 * for and not kept (ask once): a chunk's answer is never one tree of objects, except a chunk split after an HTTP 400
 * (its halves read whole) or an answer parsed whole as it was not cut (an array then).
 */
export interface ChunkOutcomes {
  readonly length: number;
  at(k: number): SearchOutcome | undefined;
}

/**
 * Told the answers of one chunk as soon as they are in: `outcomes.at(k)` is that of `searches[start + k]`;
 * `overlapped` when another request of the same multiSearch is in flight while it is told (its time is then the cluster's too).
 */
export type ChunkAnswered = (start: number, outcomes: ChunkOutcomes, overlapped: boolean) => void;

/** Most extra requests one run spends splitting refused chunks to find the searches the cluster cannot parse. */
const MAX_SPLITS = 32;

/**
 * Runs all searches through `_msearch`, `chunk` searches per HTTP request (`msearch_concurrency` requests at a
 * time), and reports each search's outcome: with `onChunk`, each chunk's to it once it is answered and the next
 * chunk's request is on its way (reading one answer overlaps the cluster's time on the next), and not kept (holes
 * in `outcomes`, so that the answers are dropped once told), else in `outcomes`; plus `failure` when the cluster
 * itself could not be used (unreachable, refused, timed out, HTTP error). Every chunk is told before it returns.
 */
export async function multiSearch(config: ElasticsearchConfig, searches: SearchRequest[], signal?: AbortSignal, onChunk?: ChunkAnswered): Promise<{ outcomes: (SearchOutcome | undefined)[]; requests: number; tookMs: number; failure?: string }> {
  const outcomes: (SearchOutcome | undefined)[] = new Array(searches.length);
  let requests = 0;
  // The cluster's own time: each answer's `took` (the whole _msearch request's, its searches run side by side).
  let tookMs = 0;
  let failure: string | undefined;
  // A chunk refused whole, kept aside so that another chunk's failure of the request itself takes precedence.
  let refused: string | undefined;
  if (!searches.length) return { outcomes, requests, tookMs };
  const ca = config.ca_file ? readCaFile(config.ca_file, 'elasticsearch.ca_file') : undefined;
  const agent = keepAliveAgent(ca);
  // The requests in flight, each bounded by config.timeout less the time spent telling answers meanwhile.
  const inFlight = new Set<StretchableSignal>();
  try {
    // A body the cluster cannot parse makes it refuse the whole _msearch (HTTP 400): split the chunk in halves
    // until the culprit is alone, so that only its alert fails and every other search is answered.
    let splits = MAX_SPLITS;
    const search = async (chunk: SearchRequest[], body?: string): Promise<ChunkOutcomes> => {
      requests++;
      if (signal?.aborted) return chunk.map(() => ({ ok: false as const, error: 'not searched: the run reached its deadline' }));
      const bounded = stretchableSignal([signal], config.timeout);
      inFlight.add(bounded);
      // An item of the answer that is not JSON, found as the answer is read, counts as the source's failure too.
      const damaged = (error: string) => {
        failure ??= error;
      };
      const answer = await sendChunk(config, ca, agent, chunk, bounded.signal, body, damaged).finally(() => {
        inFlight.delete(bounded);
        bounded.done();
      });
      tookMs += answer.took ?? 0;
      if (answer.refused === undefined) {
        failure ??= answer.failure;
        return answer.outcomes;
      }
      if (chunk.length === 1) return [{ ok: false, error: `the cluster rejected this alert's search: ${answer.refused}`, rejected: true } as SearchOutcome];
      if (splits <= 0) return chunk.map((): SearchOutcome => ({ ok: false, error: `the cluster refused a request holding this search, and too many bodies were refused to find which (${answer.refused})` }));
      splits -= 2;
      const half = Math.ceil(chunk.length / 2);
      return [...all(await search(chunk.slice(0, half))), ...all(await search(chunk.slice(half)))];
    };
    // Each chunk's searches are cut from the list when it is sent, and its answers told (onChunk) as they arrive,
    // but after the next chunk's request has been sent: told in a later turn of the event loop (setImmediate), by
    // which the next chunk's body was built and written (see afterNextSent).
    const telling: Promise<void>[] = [];
    // The first error a tell threw: no chunk is sent once it is set, no later chunk told, and multiSearch throws it.
    let tellError: { error: unknown } | undefined;
    const throwTellError = () => {
      if (tellError) throw tellError.error;
    };
    const tell = (start: number, told: ChunkOutcomes) => {
      if (tellError) return;
      // A request in flight now stays so while the tell runs (its answer is read after): the time is overlapped.
      const overlapped = inFlight.size > 0;
      const begin = performance.now();
      try {
        onChunk!(start, told, overlapped);
      } catch (error) {
        tellError = { error };
      } finally {
        // The tell's time does not count against the timeout of the requests in flight meanwhile: an answer that
        // arrived during it is read after it, and must not be aborted as late by a timer run first.
        const spent = performance.now() - begin;
        for (const request of inFlight) request.stretch(spent);
      }
    };
    const starts: number[] = [];
    for (let start = 0; start < searches.length; start += config.msearch_chunk) starts.push(start);
    // The body of each chunk after the first msearch_concurrency is built while the chunks sent are searched (in a
    // later turn of the event loop, as the answers are told); the first msearch_concurrency bodies are built in one
    // turn, each as its request is started, before any request is written.
    const prepared = new Map<number, string>();
    let sent = 0;
    const prepareNext = () => {
      const start = starts[sent];
      if (start === undefined || prepared.has(start) || signal?.aborted || tellError) return;
      try {
        prepared.set(start, ndjson(searches.slice(start, start + config.msearch_chunk)));
      } catch {
        // Left unprepared: sendChunk builds it again when the chunk is sent, and its error then fails the fetch.
      }
    };
    try {
      await mapLimit(starts, config.msearch_concurrency ?? 1, async (start) => {
        throwTellError();
        const chunk = searches.slice(start, start + config.msearch_chunk);
        const body = prepared.get(start);
        prepared.delete(start);
        sent++;
        const answering = search(chunk, body);
        setImmediate(prepareNext);
        let answered: ChunkOutcomes = await answering;
        throwTellError();
        // Every search refused on its own: the cluster refuses them all (a proxy, a limit), not one alert's query.
        // Only a chunk split in halves (a plain array) has refused searches: an answer read lazily is not asked,
        // so that its first item is parsed once, when it is told.
        if (chunk.length > 1 && Array.isArray(answered) && everyRejected(answered)) {
          const first = answered.at(0);
          const error = first && !first.ok ? first.error : '';
          refused ??= `the cluster refused every search of the request: ${error}`;
          // Still the searches' own answers: a fused search among them is worth splitting into its alerts' searches.
          answered = all(answered).map((o) => (o.ok ? o : { ok: false as const, error: o.error, own: true as const }));
        }
        const told = answered;
        if (onChunk) telling.push(afterNextSent(() => tell(start, told)));
        else for (let i = 0; i < answered.length; i++) outcomes[start + i] = answered.at(i);
      });
    } finally {
      // Every tell queued has run (or was skipped) before multiSearch settles and its agent is destroyed.
      await Promise.allSettled(telling);
    }
    throwTellError();
    failure ??= refused;
  } finally {
    agent.destroy();
  }
  return { outcomes, requests, tookMs, failure };
}

/** Every outcome of a chunk, read now (a missing one as no answer). */
function all(outcomes: ChunkOutcomes): SearchOutcome[] {
  const list: SearchOutcome[] = [];
  for (let k = 0; k < outcomes.length; k++) list.push(outcomes.at(k) ?? { ok: false, error: 'no response for this search in the _msearch answer' });
  return list;
}

/** Whether every search of the chunk was refused on its own (stops at the first that was not). */
function everyRejected(outcomes: ChunkOutcomes): boolean {
  for (let k = 0; k < outcomes.length; k++) {
    const outcome = outcomes.at(k);
    if (!outcome || outcome.ok || !outcome.rejected) return false;
  }
  return true;
}

/**
 * Runs `tell` (which throws nothing: it keeps its error) in a later turn of the event loop, once the work queued now
 * (the next chunk's request: its body is built and written in the same turn, its socket's write in process.nextTick)
 * has run; the promise resolves once it ran.
 */
function afterNextSent(tell: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    setImmediate(() => {
      try {
        tell();
      } finally {
        resolve();
      }
    });
  });
}

/** Builds the request headers: JSON content and the configured authentication. */
export function authHeaders(config: ElasticsearchConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  if (config.api_key) headers.authorization = `ApiKey ${config.api_key}`;
  else if (config.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  }
  return headers;
}

/** The `_msearch` body of a chunk: a header line and a body line per search (a fused search's written without building its body, see searchBodyJson). */
function ndjson(chunk: readonly SearchRequest[]): string {
  return chunk.map((s) => `${JSON.stringify({ index: s.index, ignore_unavailable: true, allow_no_indices: true })}\n${searchBodyJson(s)}\n`).join('');
}

/**
 * Sends one chunk (its body built now unless given; `signal` bounds its time) and reads each search's outcome from the
 * answer; `damaged` is told when an item read later is not JSON (a failure of the source, as a whole answer not JSON is).
 */
async function sendChunk(config: ElasticsearchConfig, ca: string | undefined, agent: ReturnType<typeof keepAliveAgent>, chunk: SearchRequest[], signal: AbortSignal, body: string = ndjson(chunk), damaged?: (error: string) => void): Promise<{ outcomes: ChunkOutcomes; failure?: string; refused?: string; took?: number }> {
  const failAll = (error: string) => ({ outcomes: chunk.map((): SearchOutcome => ({ ok: false, error })), failure: error });
  let status: number;
  let text: string;
  try {
    const url = new URL(`${config.url}/_msearch`);
    ({ status, text } = await post(url, body, {
      headers: { ...authHeaders(config), 'content-type': 'application/x-ndjson', accept: 'application/json' },
      ca,
      agent,
      // Bounded by the caller's signal: config.timeout, less the time the process spent telling answers.
      signal,
    }));
  } catch (error) {
    return failAll(redact(`cannot reach ${config.url}: ${describeNetworkError(error)}`));
  }
  if (status === 400 && isParseError(text)) return { outcomes: [], refused: redact(summarizeError(text)) };
  if (status >= 300) return failAll(redact(`${config.url} answered HTTP ${status}: ${summarizeError(text)}`));
  // Each search's answer is cut from the text and parsed when it is read (by then the answers before it were
  // evaluated and dropped); an answer of another form is parsed whole, as before.
  const cut = jsonArrayItems(text, 'responses');
  if (cut) {
    const took = cut.others.get('took');
    const items = cut.items;
    const outcomes: ChunkOutcomes = {
      length: chunk.length,
      at(k) {
        if (k < 0 || k >= chunk.length) return undefined;
        const item = items[k];
        if (item === undefined) return outcomeOf(undefined);
        // Only JSON.parse's error means "not JSON" (outcomeOf says itself when it cannot describe a valid item).
        let answer: unknown;
        try {
          answer = JSON.parse(item);
        } catch {
          const error = `${config.url} answered this search with something that is not JSON`;
          damaged?.(error);
          return { ok: false, error };
        }
        return outcomeOf(answer);
      },
    };
    return { outcomes, ...(typeof took === 'number' && took >= 0 ? { took } : {}) };
  }
  // Any JSON value: `null` too (an answer of no responses, not an exception out of sendChunk).
  let parsed: { took?: unknown; responses?: unknown[] } | null;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failAll(`${config.url} answered with something that is not JSON`);
  }
  // `responses` other than a list (a string's characters, an object's members) is no response for any search.
  const responses = Array.isArray(parsed?.responses) ? parsed.responses : [];
  const outcomes = chunk.map((_, i): SearchOutcome => outcomeOf(responses[i]));
  const took = parsed?.took;
  return { outcomes, ...(typeof took === 'number' && took >= 0 ? { took } : {}) };
}

/** One search's outcome from its item of the `_msearch` answer (see describeOutcome), or why that item cannot be read. */
function outcomeOf(answer: unknown): SearchOutcome {
  try {
    return describeOutcome(answer);
  } catch (error) {
    // Valid JSON of a form describing it cannot take (say, a `total` that is an object with a `toString` member).
    return { ok: false, error: `the _msearch answer for this search cannot be read: ${oneLine(redact(errorMessage(error)), 200)}` };
  }
}

/** One search's outcome from its item of the `_msearch` answer: its response, or its error, time-out or failed shards. */
function describeOutcome(answer: unknown): SearchOutcome {
  const item = answer as (SearchResponse & { status?: number; error?: unknown }) | undefined;
  if (!item) return { ok: false, error: 'no response for this search in the _msearch answer' };
  // A number, a string or a list where a search response belongs is not read as one with no hits (silence).
  if (typeof item !== 'object' || Array.isArray(item)) return { ok: false, error: 'the _msearch answer for this search is not a search response' };
  if (item.error) return { ok: false, error: `search failed: ${describeClusterError(item.error)}`, own: true };
  if (item.timed_out) return { ok: false, error: 'search timed out on the cluster; the window will be searched again next run' };
  const failed = item._shards?.failed ?? 0;
  if (failed > 0) {
    const reason = item._shards?.failures?.[0]?.reason;
    return { ok: false, error: `${failed} of ${item._shards?.total} shards failed (${reason ? describeClusterError(reason) : 'unknown'}); the window will be searched again next run`, own: true };
  }
  return { ok: true, response: item };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = (error as { code?: string }).code ?? cause?.code;
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return 'timed out';
  const message = cause?.message ?? errorMessage(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

function summarizeError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (parsed.error) return describeClusterError(parsed.error);
  } catch {
    /* not JSON: show the start of the text */
  }
  // Redact before cutting: a cut through an echoed credential would leave a piece no redaction recognises.
  return oneLine(redact(text), 200);
}

/** True when a 400 answer is the cluster's own error about the request (a body it cannot parse or accept), not, say, a proxy's 400. */
function isParseError(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { error?: { type?: string; root_cause?: { type?: string }[] } };
    const type = parsed.error?.root_cause?.[0]?.type ?? parsed.error?.type ?? '';
    return type !== '';
  } catch {
    return false;
  }
}
