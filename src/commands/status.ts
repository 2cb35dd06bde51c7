import { resolve } from 'node:path';
import { openProject } from './project.js';
import { ExitCode } from '../util/errors.js';
import { printJson } from './printReport.js';
import { statusView } from '../inspect/statusView.js';
import { statusLines } from './statusText.js';

/** `alertcron status`: the last runs, each alert's window and firing keys, pending deliveries, silences, sources; as text, JSON or an HTML page. */
export async function statusCommand(options: { config: string; json?: boolean; html?: string }): Promise<number> {
  const { config, loaded, store, now } = await openProject(options.config, { offline: true });
  const peeked = await store.peek();
  if (options.html) {
    const { statusPageHtml, writeStatusPageFile } = await import('../inspect/statusPageFile.js');
    writeStatusPageFile(resolve(options.html), statusPageHtml(config, loaded, peeked, now));
    console.error(`status page written to ${resolve(options.html)}`);
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
