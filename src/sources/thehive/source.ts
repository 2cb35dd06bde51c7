import type { Finding } from '../../model/finding.js';
import type { Window } from '../../model/window.js';
import { renderTemplate } from '../../util/template.js';
import { listed } from '../../util/serverValues.js';
import type { FetchOutcome, FetchResult, Personalised, PlannedRequest, Source, SourceAction } from '../types.js';
import { hiveQuery, queryHiveAlerts } from './query.js';
import { planFeedback } from './feedback.js';
import { hiveFindings } from './findings.js';
import { promoteAlert } from './promoteAction.js';
import { addTags } from './tagAction.js';
import type { TheHiveAlertDef, TheHiveConfig } from './types.js';

/** TheHive as a source: one paged v1 query per due alert (the alerts queried at once), and the tag and promote actions. */
export class TheHiveSource implements Source<TheHiveAlertDef> {
  readonly name = 'thehive';
  readonly actions: Record<string, SourceAction>;

  constructor(private readonly config: TheHiveConfig) {
    this.actions = {
      tag: (key, args, signal) => addTags(config, args.object === 'case' ? 'case' : 'alert', key, (args.tags as string[] | undefined) ?? [], signal),
      promote: (key, _args, signal) => promoteAlert(config, key, signal),
    };
  }

  /** The first page of the v1 query of an alert's filter; its age limit counts back from the window's end (now). */
  plan(alert: TheHiveAlertDef, window: Window): PlannedRequest<TheHiveAlertDef> {
    return { alert, window, request: hiveQuery(alert.thehive, window.to) };
  }

  /** Runs every due alert's query concurrently, each read page after page; each TheHive alert (or case) found is a finding. */
  async fetch(plans: PlannedRequest<TheHiveAlertDef>[], now: number, signal?: AbortSignal): Promise<FetchResult> {
    let failure: string | undefined;
    let calls = 0;
    const outcomes = await Promise.all(
      plans.map(async (plan): Promise<FetchOutcome> => {
        const answer = await queryHiveAlerts(this.config, plan.alert.thehive, plan.window.to, signal);
        calls += answer.calls;
        if (!answer.ok) {
          failure ??= answer.error;
          return { ok: false, error: answer.error };
        }
        const findings = hiveFindings(this.config, answer.alerts, now, plan.alert.thehive.object);
        const notes = [answer.truncated, answer.setAside.length ? `${answer.setAside.length} TheHive item(s) set aside: ${listed(answer.setAside)}` : undefined].filter(Boolean);
        return { ok: true, findings, ...(notes.length ? { incomplete: notes.join('; ') } : {}) };
      }),
    );
    return { outcomes, calls, failure };
  }

  /** Case feedback: the reporter of each case and the template its classification picks. */
  personalise(alert: TheHiveAlertDef, finding: Finding): Personalised | undefined {
    return alert.feedback ? planFeedback(alert.feedback, finding) : undefined;
  }

  /** With write_back_tag, a tag write to the TheHive alert (or case) after each delivered notice but a resolved one. */
  afterDelivery(alert: TheHiveAlertDef, reason: string): { name: string; args: Record<string, unknown> } | undefined {
    if (!alert.write_back_tag || reason === 'resolved') return undefined;
    const tag = renderTemplate(alert.write_back_tag, { reason, alert: alert.name });
    return { name: 'tag', args: { object: alert.thehive.object ?? 'alert', tags: [tag] } };
  }
}
