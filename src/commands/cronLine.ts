import { basename, delimiter, dirname } from 'node:path';

/** The folders cron searches for commands when the crontab sets no PATH (Debian, Red Hat and others). */
const CRON_PATH = ['/usr/bin', '/bin'];

/**
 * The crontab line that runs alertcron every minute in `folder`, with a PATH that finds this alertcron and the node
 * running it when cron's short default PATH would not (`init` prints it, `--help` shows it).
 */
export function cronLine(folder: string): string {
  return `* * * * * cd ${shellQuote(folder)} && ${cronCommand()}`;
}

/** `alertcron run`, with a PATH that finds alertcron and node when cron's short default PATH would not. */
function cronCommand(): string {
  const script = process.argv[1] ?? '';
  const installed = basename(script) === 'alertcron' && !script.includes('/_npx/');
  const dirs = [...new Set([...(installed ? [dirname(script)] : []), dirname(process.execPath)])].filter((d) => !CRON_PATH.includes(d));
  return dirs.length ? `PATH=${[...dirs, ...CRON_PATH].map(shellQuote).join(delimiter)} alertcron run` : 'alertcron run';
}

/** The text as one shell word: as it is when it needs no quoting, else in single quotes. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
