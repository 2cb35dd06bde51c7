/** The process exit codes of alertcron; docs/install.md (Exit codes) documents them. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  invalidConfig: 2,
  sourceFailed: 3,
  deliveriesPending: 4,
  lockHeld: 5,
  cannotWrite: 6,
  usage: 64,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: its message is printed as one line and the process exits with its code. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Returns the message of anything thrown, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
