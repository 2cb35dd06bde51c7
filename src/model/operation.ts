/** One thing a person asked for, from the shell or from chat, applied through the operations module. */
export type OperationRequest =
  | { op: 'ack'; alert: string; key?: string; by: string }
  | { op: 'silence'; alert: string; key?: string; match?: { field: string; value: string }; forMs: number; comment: string; by: string }
  | { op: 'expire'; id: string; by: string }
  | { op: 'ignore'; key: string; forMs: number; comment?: string; by: string }
  | { op: 'resolve'; key: string; how: string; by: string; alert?: string }
  | { op: 'promote'; source: string; key: string; by: string }
  /** A named action of a source on one of its items (MaxPatrol: confirm, close, refresh), with its arguments. */
  | { op: 'act'; source: string; action: string; key: string; by: string; args?: Record<string, unknown> };

/** What an operation did, in one line for the person who asked, or why it could not. */
export type OperationResult = { ok: true; message: string; link?: string } | { ok: false; message: string };
