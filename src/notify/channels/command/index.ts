import { optionalText, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import { programHostProblem, programNameProblem } from './program.js';
import type { CommandChannelConfig } from './types.js';

/** Runs a program (argv, no shell) for each notice with the notice on its stdin; its exit status is the delivery's result. */
export const commandChannel: ChannelKind<CommandChannelConfig> = {
  type: 'command',
  secretKeys: [],
  complete: (raw) => ({
    type: 'command',
    command: Array.isArray(raw.command) ? raw.command.map(String) : [],
    stdin: optionalText(raw, 'stdin') === 'text' ? 'text' : 'json',
    env: (raw.env as Record<string, string> | undefined) ?? {},
    timeout: timeoutOf(raw),
    // One copy of the program at a time unless the channel says more (a script may not expect to run beside itself).
    concurrency: 1,
  }),
  problems: (raw) => {
    const program = Array.isArray(raw.command) && typeof raw.command[0] === 'string' ? programNameProblem(raw.command[0]) : undefined;
    return program ? [program] : [];
  },
  hostProblems: (config) => {
    const problem = config.command[0] === undefined ? undefined : programHostProblem(config.command[0]);
    return problem ? [{ path: ['command', 0], message: problem }] : [];
  },
  // An env value from `${VAR}` is registered as a secret where the configuration is read (config/secrets.ts); a literal is a setting.
  destinations: async (_name, config) => [`command ${config.command[0] ?? '(not set)'}`],
  receiptId: 'first line of stdout',
  notifier: async (name, config) => (await import('./notifier.js')).createCommandNotifier(name, config),
};
