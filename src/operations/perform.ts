import type { OperationRequest, OperationResult } from '../model/operation.js';
import type { StateData } from '../model/state.js';
import { changeState, type StateStore } from '../state/store.js';
import type { Source } from '../sources/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { applyToState, queuedWords, type OpScope } from './stateOperations.js';
import type { StateTransaction } from '../state/store.js';

/** Asks a source to promote one of its items (e.g. a TheHive alert to a case); changes no state. */
export async function callPromote(sources: ReadonlyMap<string, Source>, request: Extract<OperationRequest, { op: 'promote' }>, signal?: AbortSignal): Promise<OperationResult> {
  const promote = sources.get(request.source)?.actions.promote;
  if (!promote) return { ok: false, message: `source ${request.source} is not configured or cannot promote` };
  try {
    const done = await promote(request.key, {}, signal);
    return { ok: true, message: done.message, ...(done.link ? { link: done.link } : {}) };
  } catch (error) {
    return { ok: false, message: redact(errorMessage(error)) };
  }
}

/** Asks a source to perform another of its actions on one item (confirm, close, refresh ...); changes no state. */
export async function callAction(sources: ReadonlyMap<string, Source>, request: Extract<OperationRequest, { op: 'act' }>, signal?: AbortSignal): Promise<OperationResult & { handled?: string }> {
  const action = sources.get(request.source)?.actions[request.action];
  if (!action) return { ok: false, message: `source ${request.source} is not configured or has no action ${request.action}` };
  try {
    const done = await action(request.key, { ...request.args, by: request.by }, signal);
    return {
      ok: true,
      message: done.message,
      ...(done.link ? { link: done.link } : {}),
      ...(done.labels ? { labels: done.labels } : {}),
      ...(done.finding ? { finding: done.finding } : {}),
      ...(done.handled ? { handled: done.handled } : {}),
    };
  } catch (error) {
    return { ok: false, message: redact(errorMessage(error)) };
  }
}

/** The alerts in which a key was already promoted (applying a promote again is then only reported). */
function promotedIn(data: StateData, key: string): string[] {
  return Object.entries(data.alerts).flatMap(([name, state]) => (state.keys[key]?.handled?.how === 'promoted' ? [name] : []));
}

/** Calls the source a request needs (promote, act); with how the key was handled when the action dealt with it. */
async function callSource(sources: ReadonlyMap<string, Source>, request: Extract<OperationRequest, { op: 'promote' | 'act' }>, signal?: AbortSignal): Promise<{ done: OperationResult; handled?: string }> {
  if (request.op === 'promote') {
    const done = await callPromote(sources, request, signal);
    return { done, ...(done.ok ? { handled: 'promoted' } : {}) };
  }
  const { handled, ...done } = await callAction(sources, request, signal);
  return { done, ...(handled ? { handled } : {}) };
}

/**
 * Applies one request inside a transaction the caller holds (the run's inbox stage): a promote or another source
 * action calls its source first (cut short by `signal`, the run's deadline), and one that dealt with the item
 * (promoted, confirmed, closed) marks the key handled. A key already promoted is not promoted again (a replayed
 * press after a kill).
 */
export async function applyRequest(data: StateData, request: OperationRequest, sources: ReadonlyMap<string, Source>, now: number, signal?: AbortSignal, scope: OpScope = {}): Promise<OperationResult> {
  if (request.op !== 'promote' && request.op !== 'act') return applyToState(data, request, now, scope);
  if (request.op === 'promote') {
    const already = promotedIn(data, request.key);
    if (already.length) return { ok: true, message: `${request.key} was already promoted (${already.join(', ')})` };
  }
  const { done, handled } = await callSource(sources, request, signal);
  if (handled) applyToState(data, { op: 'resolve', key: request.key, how: handled, by: request.by }, now, scope);
  return done;
}

/**
 * A shell command's scope: it read every alert, and holds none of them when the store queues operations (the
 * partitioned cluster store: the hosts holding the alerts apply them); the file backend holds everything.
 */
export function commandScope(data: StateData, tx: Pick<StateTransaction, 'ownership'>): OpScope {
  if (!data.ops) return { readAll: true, ...(tx.ownership ? { ownership: tx.ownership } : {}) };
  return { readAll: true, ownership: { host: tx.ownership?.host ?? '', partitions: new Set(), coordinator: false, took: [] } };
}

/**
 * Performs one request from the shell. State changes happen under the store's lock; a promote or a source action
 * calls its source outside the lock (a slow TheHive or MaxPatrol must not hold up cron runs), then marks the key
 * handled so its queued notices are not sent.
 */
export async function perform(request: OperationRequest, store: StateStore, sources: ReadonlyMap<string, Source>, now: number): Promise<OperationResult> {
  if (request.op !== 'promote' && request.op !== 'act') return changeState(store, (data, tx) => applyToState(data, request, now, commandScope(data, tx)));
  const { done, handled } = await callSource(sources, request);
  if (!handled) return done;
  const marked = await changeState(store, (data, tx) => applyToState(data, { op: 'resolve', key: request.key, how: handled, by: request.by }, now, commandScope(data, tx)));
  return marked.message.includes(queuedWords('*')) ? { ...done, message: `${done.message} (its notices: ${marked.message})` } : done;
}
