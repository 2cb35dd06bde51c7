import { displayPath } from '../config/loadAlerts.js';
import { loadProject } from '../config/loadProject.js';
import { redact } from '../util/redact.js';
import { ExitCode } from '../util/errors.js';
import { destinations } from './channelTest.js';
import { printJson } from './printReport.js';

/** Options of `alertcron channel list`. */
export interface ChannelListOptions {
  config: string;
  json?: boolean;
}

/**
 * `alertcron channel list`: each channel of alertcron.yaml with its type, where its notices go, and whether its
 * secrets are set (an unset one is named: its deliveries would stay pending). Reads no state and sends nothing.
 */
export async function channelListCommand(options: ChannelListOptions): Promise<number> {
  const { config } = await loadProject(options.config, process.env, { offline: true });
  const channels = await Promise.all(
    Object.entries(config.channels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(async ([name, channel]) => ({
        name,
        type: channel.type,
        to: await destinations(name, channel, undefined),
        secrets: channel.missingSecret ? `missing: ${channel.missingSecret}` : 'set',
      })),
  );
  if (options.json) printJson(channels);
  else if (!channels.length) console.log(`no channels in ${displayPath(config, config.file)}`);
  else for (const c of channels) console.log(redact(`${c.name}\t${c.type}\t${c.to.join(', ') || '(the chats an administrator allows)'}\tsecrets ${c.secrets}`));
  return ExitCode.ok;
}
