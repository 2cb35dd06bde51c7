import type { OperationRequest, OperationResult } from '../model/operation.js';
import type { StateData } from '../model/state.js';
import { changeState, type StateStore } from '../state/store.js';
import type { Source } from '../sources/types.js';
import { errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { applyToState } from './stateOperations.js';

/** Asks a source to promote one of its items (e.g. a TheHive alert to a case); changes no state. */
export async function callPromote(sources: ReadonlyMap<string, Source>, request: Extract<OperationRequest, { op: 'promote' }>): Promise<OperationResult> {
  const promote = sources.get(request.source)?.actions.promote;
  if (!promote) return { ok: false, message: `source ${request.source} is not configured or cannot promote` };
  try {
    const done = await promote(request.key, {});
    return { ok: true, message: done.message, ...(done.link ? { link: done.link } : {}) };
  } catch (error) {
    return { ok: false, message: redact(errorMessage(error)) };
  }
}

/** Applies one request inside a transaction the caller holds (the run's inbox stage): a promote calls its source first. */
export async function applyRequest(data: StateData, request: OperationRequest, sources: ReadonlyMap<string, Source>, now: number): Promise<OperationResult> {
  if (request.op !== 'promote') return applyToState(data, request, now);
  const done = await callPromote(sources, request);
  if (done.ok) applyToState(data, { op: 'resolve', key: request.key, how: 'promoted', by: request.by }, now);
  return done;
}

/**
 * Performs one request from the shell. State changes happen under the store's lock; a promote calls its source
 * outside the lock (a slow TheHive must not hold up cron runs), then marks the key handled so its queued notices
 * are not sent.
 */
export async function perform(request: OperationRequest, store: StateStore, sources: ReadonlyMap<string, Source>, now: number): Promise<OperationResult> {
  if (request.op !== 'promote') return changeState(store, (data) => applyToState(data, request, now));
  const done = await callPromote(sources, request);
  if (done.ok) await changeState(store, (data) => applyToState(data, { op: 'resolve', key: request.key, how: 'promoted', by: request.by }, now));
  return done;
}
