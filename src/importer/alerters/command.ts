import { quoteData } from '../quote.js';
import type { AlerterChannel, AlerterContext } from './context.js';

/** Python's `%(field)s` substitutions (ElastAlert2's resolve_string) in an argument. */
const SUBSTITUTION = /%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]/g;

/** Characters that make a command string need a shell (pipes, redirections, quotes, variables, globs ...). */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}~#\n]/;

/**
 * ElastAlert2's command alerter as a `command` channel: a list is the argv as it is; a string (which ElastAlert2
 * ran through a shell) is split into words, or kept as `sh -c` when it uses shell syntax. `%(field)s` substitutions
 * are left out (no log text in arguments): the values come as JSON on stdin. pipe_match_json is `stdin: json`,
 * pipe_alert_text `stdin: text`.
 */
export function convertCommand(ctx: AlerterContext): AlerterChannel[] {
  const raw = ctx.take('command');
  const words = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw.trim() ? [raw] : [];
  if (!words.length) {
    ctx.noteAlerter('command', 'the command alerter has no command: not converted');
    return [];
  }
  let argv: string[];
  if (typeof raw === 'string') {
    const withoutFields = raw.replace(SUBSTITUTION, '').trim();
    argv = SHELL_SYNTAX.test(withoutFields) ? ['/bin/sh', '-c', withoutFields] : withoutFields.split(/\s+/);
    ctx.note('command', argv[0] === '/bin/sh' ? 'ElastAlert2 ran this string through a shell: it still runs as /bin/sh -c, with nothing from the log in it' : 'ElastAlert2 ran this string through a shell: it runs as its words, without a shell');
  } else argv = words.map((w) => w.replace(SUBSTITUTION, '')).filter((w, i) => w !== '' || words[i] === '');
  const substitutions = words.join(' ').match(SUBSTITUTION);
  if (substitutions) ctx.note('command', `its ${quoteData(substitutions.join(' '))} substitutions are left out: alertcron puts no log text in a command's arguments; the notice (its fields under labels) comes as JSON on stdin`);
  const config: Record<string, unknown> & { type: string } = { type: 'command', command: argv };
  const json = ctx.take('pipe_match_json') === true;
  const text = ctx.take('pipe_alert_text') === true;
  config.stdin = text && !json ? 'text' : 'json';
  if (json) ctx.note('pipe_match_json', 'stdin: json: the notice as JSON ({alert, key, reason, title, message, labels, sent_at}), not ElastAlert2\'s list of matches');
  if (ctx.take('fail_on_non_zero_exit') !== true) ctx.noteAlerter('fail_on_non_zero_exit', 'ElastAlert2 ignored the exit status unless fail_on_non_zero_exit; alertcron counts a non-zero exit as a failed delivery (75 is retried on the next run)');
  return [{ config, secrets: [] }];
}
