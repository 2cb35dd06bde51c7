import type { Window } from '../../model/window.js';
import { errorMessage } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import type { FetchOutcome, FetchResult, PlannedRequest, Source, SourceAction, SourceContext } from '../types.js';
import { MaxPatrolClient, memoryKeeper } from './client.js';
import { listBody } from './incidents.js';
import { EVENT_READS_PER_RUN, readAlert, readFrom } from './read.js';
import { refresh, transition } from './transitions.js';
import type { MaxPatrolAlertDef, MaxPatrolConfig, MaxPatrolCursor } from './types.js';

/** The saved cursor of an alert, if it has the expected shape (a cursor of another source or version is ignored). */
function cursorOf(saved: unknown): MaxPatrolCursor | undefined {
  const c = saved as MaxPatrolCursor | undefined;
  return c && typeof c.from === 'number' && c.events && typeof c.events === 'object' ? c : undefined;
}

/** MaxPatrol SIEM as a source: new incidents of each due alert, read page after page, and the confirm, close and refresh actions. */
export class MaxPatrolSource implements Source<MaxPatrolAlertDef> {
  readonly name = 'maxpatrol';
  readonly actions: Record<string, SourceAction>;
  readonly client: MaxPatrolClient;
  private readonly cursors = new Map<string, MaxPatrolCursor | undefined>();

  constructor(config: MaxPatrolConfig, context?: SourceContext) {
    const now = context?.now ?? Date.now;
    this.client = new MaxPatrolClient(config, context?.tokens ?? memoryKeeper(), now);
    const by = (args: Record<string, unknown>) => (typeof args.by === 'string' && args.by ? args.by : 'alertcron');
    const comment = (args: Record<string, unknown>) => (typeof args.comment === 'string' && args.comment ? args.comment : undefined);
    this.actions = {
      confirm: (key, args, signal) => transition(this.client, 'confirm', key, by(args), comment(args), signal),
      close: (key, args, signal) => transition(this.client, 'close', key, by(args), comment(args), signal),
      refresh: (key, args, signal) => refresh(this.client, key, typeof args.max_events === 'number' ? args.max_events : 5, now(), signal),
    };
  }

  /** The first page of the list an alert reads: from its cursor (or its window's start), oldest first. */
  plan(alert: MaxPatrolAlertDef, window: Window, saved?: unknown): PlannedRequest<MaxPatrolAlertDef> {
    const cursor = cursorOf(saved);
    this.cursors.set(alert.name, cursor);
    return { alert, window, request: { 'POST /api/v2/incidents/': listBody(readFrom(alert.maxpatrol, cursor, window, window.to), 0, this.client.config.page_size) } };
  }

  /** Reads every due alert's incidents (one after the other, sharing one token); a failure fails that alert and the rest, keeping their cursors. */
  async fetch(plans: PlannedRequest<MaxPatrolAlertDef>[], now: number, signal?: AbortSignal): Promise<FetchResult> {
    let failure: string | undefined;
    let calls = 0;
    // The run's budget of events reads is shared by its alerts, so that several alerts cannot multiply it.
    let eventBudget = EVENT_READS_PER_RUN;
    const outcomes: FetchOutcome[] = [];
    for (const plan of plans) {
      // MaxPatrol itself failed (a login refused, the core unreachable): the other alerts are not tried again,
      // so that a wrong password is not sent once per alert and a dead core does not eat the run's deadline.
      if (failure) {
        outcomes.push({ ok: false, error: failure });
        continue;
      }
      const before = this.client.logins;
      try {
        const read = await readAlert(this.client, plan.alert.maxpatrol, this.cursors.get(plan.alert.name), plan.window, now, signal, eventBudget);
        eventBudget -= read.eventReads;
        calls += read.calls;
        outcomes.push({ ok: true, findings: read.findings, saved: read.saved, ...(read.incomplete ? { incomplete: read.incomplete } : {}) });
      } catch (error) {
        const message = redact(errorMessage(error));
        failure ??= message;
        outcomes.push({ ok: false, error: message });
      }
      calls += this.client.logins - before;
    }
    return { outcomes, calls, failure };
  }
}
