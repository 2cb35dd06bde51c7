import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { writeFileDurably } from '../util/durableFile.js';
import { errorMessage } from '../util/errors.js';
import { renderStatusPage } from './statusPage.js';
import { statusView, type PeekedState } from './statusView.js';

/** The status page's HTML for a project's state as peeked at `now`. */
export function statusPageHtml(config: Config, loaded: Pick<LoadedAlerts, 'alerts'>, peeked: PeekedState, now: number): string {
  const host = config.state.backend === 'cluster' ? { host: config.state.host_id, hostTtlMs: config.state.host_ttl } : {};
  return renderStatusPage(statusView(config, loaded, peeked, now), { project: dirname(config.file), generatedAt: now, ...host });
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
export async function statusPageAfterRun(config: Config, loaded: Pick<LoadedAlerts, 'alerts'>, peek: () => Promise<PeekedState>, now: number): Promise<string | undefined> {
  const file = config.monitoring.status_page;
  if (!file) return undefined;
  try {
    writeStatusPageFile(file, statusPageHtml(config, loaded, await peek(), now));
    return undefined;
  } catch (error) {
    return `the status page ${file} was not written (monitoring.status_page): ${errorMessage(error)}`;
  }
}
