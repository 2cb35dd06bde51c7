import { channelKind } from '../notify/channels/registry.js';
import { readInputFile } from '../util/readInputFile.js';
import { displayPath } from './loadAlerts.js';
import type { Problem } from './problems.js';
import { toPointer } from './schemaCheck.js';
import type { Config } from './types.js';
import { parseYamlFile } from './yamlDocument.js';

/** What each channel's kind finds wrong with it on this host (a command's program that is not there), located in alertcron.yaml. */
export async function channelHostProblems(config: Config): Promise<Problem[]> {
  const found = Object.entries(config.channels).flatMap(([name, channel]) => (channelKind(channel.type)?.hostProblems?.(channel) ?? []).map((p) => ({ ...p, path: ['channels', name, ...p.path] })));
  if (!found.length) return [];
  const file = displayPath(config, config.file);
  const read = readInputFile(config.file);
  const yaml = 'text' in read ? await parseYamlFile(file, read.text) : undefined;
  return found.map(({ path, message }) => {
    const { line, col } = yaml?.locate(path) ?? { line: 0, col: 0 };
    return { file, line: line || undefined, col, path: toPointer(path), message };
  });
}
