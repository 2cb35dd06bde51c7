/** One thing a person asked for, from the shell or from chat, applied through the operations module. */
export type OperationRequest =
  | { op: 'ack'; alert: string; key?: string; by: string }
  | { op: 'silence'; alert: string; key?: string; match?: { field: string; value: string }; forMs: number; comment: string; by: string }
  | { op: 'expire'; id: string; by: string }
  | { op: 'ignore'; key: string; forMs: number; comment?: string; by: string }
  | { op: 'resolve'; key: string; how: string; by: string; alert?: string }
  | { op: 'promote'; source: string; key: string; by: string }
  /** A named action of a source on one of its items (MaxPatrol: confirm, close, refresh), with its arguments. */
  | { op: 'act'; source: string; action: string; key: string; by: string; alert?: string; args?: Record<string, unknown> };

/** What an operation did, in one line for the person who asked, or why it could not. */
export type OperationResult =
  | {
      ok: true;
      message: string;
      link?: string;
      /** The item's fields after a source action (e.g. {status: 'Approved'}): the notice's actions are recomputed from them. */
      labels?: Record<string, string>;
      /** The item as the source sees it now, when the action re-read it (Refresh): the notice is re-rendered from it. */
      finding?: import('./finding.js').Finding;
    }
  | { ok: false; message: string };

/**
 * An action a notice offers in chat (a Telegram button, a Slack reaction or thread reply), kept with the notice
 * in the state: its name (also its text command), its label, and the operation it asks for.
 */
export interface NoticeAction {
  /** The command word: `ack`, `silence`, `promote`, `ignore`, `confirm` ... */
  name: string;
  /** What the button says: `Ack`, `Silence 1h` ... */
  label: string;
  /** ack, silence (this alert's key), ignore (the key in every alert), promote (the source's promote) or act (another source action). */
  op: 'ack' | 'silence' | 'ignore' | 'promote' | 'act';
  /** How long silence and ignore last unless the person says otherwise (`silence 2h`). */
  forMs?: number;
  /** The source that performs promote and act. */
  source?: string;
  /** The source action act calls (e.g. confirm, close, refresh). */
  action?: string;
}

/** The operation request a chat action asks for on a notice's (alert, key), by a person, with an optional other duration. */
export function requestFor(action: NoticeAction, notice: { alert: string; key: string }, by: string, where: string, forMs?: number): OperationRequest {
  const duration = forMs ?? action.forMs ?? 3_600_000;
  switch (action.op) {
    case 'ack':
      return { op: 'ack', alert: notice.alert, key: notice.key, by };
    case 'silence':
      return { op: 'silence', alert: notice.alert, key: notice.key, forMs: duration, comment: `silenced from ${where}`, by };
    case 'ignore':
      return { op: 'ignore', key: notice.key, forMs: duration, comment: `${notice.key} ignored from ${where}`, by };
    case 'promote':
      return { op: 'promote', source: action.source ?? '', key: notice.key, by };
    case 'act':
      return { op: 'act', source: action.source ?? '', action: action.action ?? action.name, key: notice.key, by, alert: notice.alert };
  }
}
