import { perform } from '../operations/perform.js';
import { loadSources } from '../run/loadSources.js';
import { durationOption } from './durationOption.js';
import { ExitCode, UserError } from '../util/errors.js';
import { openProject } from './project.js';
import { currentUser } from './silence.js';

async function hiveProject(file: string, offline: boolean) {
  const project = await openProject(file, { offline });
  if (!project.config.sources.thehive) throw new UserError('alertcron.yaml has no thehive: section (url, api_key)', ExitCode.invalidConfig);
  return project;
}

/** `alertcron hive promote <id>`: creates a case from a TheHive alert, prints its link; its queued notices are dropped. */
export async function hivePromoteCommand(id: string, options: { config: string; by?: string }): Promise<number> {
  const { config, store, now } = await hiveProject(options.config, false);
  const sources = await loadSources(config, ['thehive']);
  const done = await perform({ op: 'promote', source: 'thehive', key: id, by: options.by ?? currentUser() }, store, sources, now);
  if (!done.ok) throw new UserError(done.message, ExitCode.sourceFailed);
  console.log(done.message);
  return ExitCode.ok;
}

/** `alertcron hive ignore <id> --for 30m`: stops notices (queued ones too) and escalation for that TheHive alert for a while. */
export async function hiveIgnoreCommand(id: string, options: { config: string; for: string; comment?: string; author?: string }): Promise<number> {
  const { store, now } = await hiveProject(options.config, true);
  const forMs = durationOption('--for', options.for);
  const comment = options.comment ?? `TheHive alert ${id} ignored from the shell`;
  const done = await perform({ op: 'ignore', key: id, forMs, comment, by: options.author ?? currentUser() }, store, new Map(), now);
  console.log(done.message);
  return ExitCode.ok;
}
