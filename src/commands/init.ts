import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { packageRoot } from '../util/packageRoot.js';
import { EXAMPLE_ALERT, initFiles } from './initTemplates.js';
import { cronLine, shellQuote } from './cronLine.js';

/** Where the published JSON Schemas are (in the repository and in the installed package alike). */
const SCHEMA_DIR = join(packageRoot(), 'src', 'config', 'schemas');

/**
 * `alertcron init [dir]`: writes a commented alertcron.yaml, one example alert and its query, and a .gitignore
 * for state/, never overwriting a file (each kept file is named), then prints the next three steps.
 */
export async function initCommand(dir: string | undefined): Promise<number> {
  const target = resolve(dir ?? '.');
  try {
    for (const sub of ['alerts', 'queries']) mkdirSync(join(target, sub), { recursive: true });
  } catch (error) {
    throw new UserError(`cannot create ${target}: ${errorMessage(error)}`, ExitCode.usage);
  }
  const created: string[] = [];
  const kept: string[] = [];
  for (const [path, text] of Object.entries(initFiles(existsSync(SCHEMA_DIR) ? SCHEMA_DIR : undefined))) {
    try {
      writeFileSync(join(target, path), text, { flag: 'wx' });
      created.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot write ${join(target, path)}: ${errorMessage(error)}`, ExitCode.usage);
      kept.push(path);
    }
  }
  const lines: string[] = [];
  if (created.length) lines.push(`created in ${target}: ${created.join(', ')}`);
  for (const path of kept) lines.push(`kept ${path}: it was already there and was not changed${path === '.gitignore' ? ' (make sure it ignores state/)' : ''}`);
  const cd = relative(process.cwd(), target) ? `cd ${shellQuote(target)} && ` : '';
  lines.push(
    '',
    'Next steps:',
    '  1. Edit alertcron.yaml: point elasticsearch.url at your cluster and set up the channel(s); secrets go in as ${ENV_VAR} or *_file.',
    `  2. Check it against the cluster, then try the example alert (nothing is sent): ${cd}alertcron validate --cluster && alertcron test ${EXAMPLE_ALERT} --from 1h`,
    '  3. Run it every minute from cron (crontab -e), with the secrets\' variables set in the crontab or as *_file keys:',
    `       ${cronLine(target)}`,
  );
  console.log(lines.join('\n'));
  return ExitCode.ok;
}
