import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { writeFileDurably } from '../util/durableFile.js';
import { errorMessage } from '../util/errors.js';
import { renderStatusPage, unreadableStatusPage, type StatusPageMeta } from './statusPage.js';
import { statusView, type PeekedState } from './statusView.js';

/** The status page's HTML for a project's state as peeked at `now`. */
export function statusPageHtml(config: Config, loaded: Pick<LoadedAlerts, 'alerts'>, peeked: PeekedState, now: number, banner?: string): string {
  return renderStatusPage(statusView(config, loaded, peeked, now, { rowLimit: PAGE_ROWS }), pageMeta(config, now, banner));
}

/** The most rows of keys (firing, acknowledged) the page lists: the newest, then a line saying how many more there are. */
export const PAGE_ROWS = 300;

/** Where a page comes from: the project, with the cluster backend this host, when, and the run's banner. */
function pageMeta(config: Config, now: number, banner: string | undefined): StatusPageMeta {
  const host = config.state.backend === 'cluster' ? { host: config.state.host_id, hostTtlMs: config.state.host_ttl } : {};
  return { project: dirname(config.file), generatedAt: now, rowLimit: PAGE_ROWS, ...host, ...(banner ? { banner } : {}) };
}

/** Writes a status page atomically, its folder made when missing (readable by a web server: mode 0644 when it is new, whatever the umask). */
export function writeStatusPageFile(file: string, html: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileDurably(file, html, { mode: 0o644, exactMode: true });
}

/**
 * After a run: writes monitoring.status_page from the state as the run left it. A failure is returned as a warning
 * (the run's work is done; the page is only a view of it), never thrown.
 */
export async function statusPageAfterRun(config: Config, loaded: Pick<LoadedAlerts, 'alerts'>, peek: () => Promise<PeekedState>, now: number, banner?: string): Promise<string | undefined> {
  const file = config.monitoring.status_page;
  if (!file) return undefined;
  try {
    let html: string;
    try {
      html = statusPageHtml(config, loaded, await peek(), now, banner);
    } catch (error) {
      // The state cannot be read (a cluster that cannot be reached): a page that says so, rather than yesterday's.
      html = unreadableStatusPage(pageMeta(config, now, banner), errorMessage(error));
    }
    writeStatusPageFile(file, html);
    return undefined;
  } catch (error) {
    return `the status page ${file} was not written (monitoring.status_page): ${errorMessage(error)}`;
  }
}
