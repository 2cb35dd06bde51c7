import type { ChannelBase } from '../../config.js';

/** A command channel: a program run without a shell for each notice, the notice on its stdin. */
export interface CommandChannelConfig extends ChannelBase {
  type: 'command';
  /** The program and its arguments: fixed text, never templates (no log value becomes an argument). */
  command: string[];
  /** What its stdin gets: the notice as one JSON object, or its title and message as text. */
  stdin: 'json' | 'text';
  /** Variables added to the program's small fixed environment (PATH, HOME, LANG); their values are secrets. */
  env: Record<string, string>;
  /** How long the program may run before its whole process group is killed (ms). */
  timeout: number;
}
