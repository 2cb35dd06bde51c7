import { resolve } from 'node:path';
import { openProject } from './project.js';
import { errorMessage, ExitCode, UserError } from '../util/errors.js';
import { printJson } from './printReport.js';
import { statusView } from '../inspect/statusView.js';
import { statusLines } from './statusText.js';

/** `alertcron status`: the last runs, each alert's window and firing keys, pending deliveries, silences, sources; as text, JSON or an HTML page. */
export async function statusCommand(options: { config: string; json?: boolean; html?: string; verbose?: boolean }): Promise<number> {
  const { config, loaded, store, now } = await openProject(options.config, { offline: true });
  const peeked = await store.peek();
  if (options.html) {
    const { statusPageHtml, writeStatusPageFile } = await import('../inspect/statusPageFile.js');
    const file = resolve(options.html);
    const html = statusPageHtml(config, loaded, peeked, now);
    try {
      writeStatusPageFile(file, html);
    } catch (error) {
      throw new UserError(`the status page ${file} cannot be written: ${errorMessage(error)}; give --html a file in a folder you can write`, ExitCode.cannotWrite);
    }
    // Silent on success (status --html runs from cron, whose mail is any output); --verbose says where it went.
    if (options.verbose) console.error(`status page written to ${file}`);
    return ExitCode.ok;
  }
  const status = statusView(config, loaded, peeked, now);
  if (options.json) {
    printJson(status);
    return ExitCode.ok;
  }
  console.log(statusLines(status, config, loaded, now).join('\n'));
  return ExitCode.ok;
}
