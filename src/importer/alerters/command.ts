import { quoteData } from '../quote.js';
import type { AlerterChannel, AlerterContext } from './context.js';

/**
 * What ElastAlert2's resolve_string replaced in an argument, `%` formatting then str.format: `%(field)s`, `%%`,
 * `{field}` and `{match[field]}` placeholders, and `{{`/`}}`.
 */
const RESOLVED = /%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|%%|\{\{|\}\}|\{[^{}]*\}/g;

/** An argument as ElastAlert2 resolved it, without its field substitutions (collected in `dropped`). */
function withoutFields(text: string, dropped: string[]): string {
  return text.replace(RESOLVED, (token) => {
    if (token === '%%') return '%';
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    dropped.push(token);
    return '';
  });
}

/** Characters that make a command string need a shell (pipes, redirections, quotes, variables, globs ...). */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}~#\n]/;

/**
 * ElastAlert2's command alerter as a `command` channel: a list is the argv as it is; a string (which ElastAlert2
 * ran through a shell) is split into words, or kept as `sh -c` when it uses shell syntax. `%(field)s`, `{field}`
 * and `{match[field]}` substitutions are left out (no log text in arguments: the values come as JSON on stdin);
 * `%%`, `{{` and `}}` become `%`, `{` and `}`. pipe_match_json is `stdin: json`, pipe_alert_text `stdin: text`.
 */
export function convertCommand(ctx: AlerterContext): AlerterChannel[] {
  const raw = ctx.take('command');
  const words = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw.trim() ? [raw] : [];
  if (!words.length) {
    ctx.noteAlerter('command', 'the command alerter has no command: not converted');
    return [];
  }
  let argv: string[];
  const dropped: string[] = [];
  if (typeof raw === 'string') {
    const resolved = withoutFields(raw, dropped).trim();
    argv = SHELL_SYNTAX.test(resolved) ? ['/bin/sh', '-c', resolved] : resolved.split(/\s+/);
    ctx.note('command', argv[0] === '/bin/sh' ? 'ElastAlert2 ran this string through a shell: it still runs as /bin/sh -c, with nothing from the log in it' : 'ElastAlert2 ran this string through a shell: it runs as its words, without a shell');
  } else {
    argv = words.map((w) => withoutFields(w, dropped)).filter((w, i) => w !== '' || words[i] === '');
  }
  if (dropped.length) ctx.note('command', `its ${quoteData(dropped.join(' '))} substitutions are left out: alertcron puts no log text in a command's arguments; the notice (its fields under labels) comes as JSON on stdin`);
  const config: Record<string, unknown> & { type: string } = { type: 'command', command: argv };
  const json = ctx.take('pipe_match_json') === true;
  const text = ctx.take('pipe_alert_text') === true;
  config.stdin = text && !json ? 'text' : 'json';
  if (json) ctx.note('pipe_match_json', 'stdin: json: the notice as JSON ({alert, key, reason, title, message, labels, sent_at}), not ElastAlert2\'s list of matches');
  const failOnExit = ctx.take('fail_on_non_zero_exit') === true;
  // Without a pipe and fail_on_non_zero_exit, ElastAlert2 started the command and never waited for it.
  if (!json && !text && !failOnExit) ctx.noteAlerter('command', 'ElastAlert2 started this command without waiting for it (no pipe_match_json, pipe_alert_text or fail_on_non_zero_exit); alertcron waits for it up to the channel\'s timeout (10s unless set): a command that runs longer is killed and retried on the next run, so set timeout: on the channel or make the command return at once');
  if (!failOnExit) ctx.noteAlerter('fail_on_non_zero_exit', 'ElastAlert2 ignored the exit status unless fail_on_non_zero_exit; alertcron counts a non-zero exit as a failed delivery (75 is retried on the next run)');
  return [{ config, secrets: [] }];
}
