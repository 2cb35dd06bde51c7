import { randomBytes } from 'node:crypto';
import { loadProject } from '../config/loadProject.js';
import type { TheHiveConfig } from '../config/types.js';
import { post } from '../http/post.js';
import { changeState } from '../state/store.js';
import { clockFromEnv } from '../util/clock.js';
import { durationOption } from './durationOption.js';
import { errorMessage, ExitCode, UserError } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { describeHiveError, hiveHeaders } from '../sources/thehive.js';
import { currentUser, describeSilence } from './silence.js';

async function hiveConfig(file: string, offline: boolean): Promise<{ hive: TheHiveConfig; stateFile: string; lockWait: number }> {
  const { config } = await loadProject(file, process.env, { offline });
  if (!config.thehive) throw new UserError('alertcron.yaml has no thehive: section (url, api_key)', ExitCode.invalidConfig);
  return { hive: config.thehive, stateFile: config.state.file, lockWait: config.state.lock_wait };
}

/** `alertcron hive promote <id>`: creates a case from a TheHive alert and prints its link. */
export async function hivePromoteCommand(id: string, options: { config: string }): Promise<number> {
  const { hive } = await hiveConfig(options.config, false);
  let answer;
  try {
    answer = await post(new URL(`${hive.url}/api/v1/alert/${encodeURIComponent(id)}/case`), '{}', { headers: hiveHeaders(hive), timeoutMs: hive.timeout });
  } catch (error) {
    throw new UserError(redact(`cannot reach TheHive at ${hive.url}: ${errorMessage(error)}`), ExitCode.sourceFailed);
  }
  if (answer.status !== 201 && answer.status !== 200) throw new UserError(describeHiveError(hive, answer.status, answer.text), ExitCode.sourceFailed);
  const created = JSON.parse(answer.text) as { _id?: string; number?: number };
  console.log(`case #${created.number ?? '?'} created from alert ${id}: ${hive.url}/cases/${encodeURIComponent(created._id ?? '')}/details`);
  return ExitCode.ok;
}

/** `alertcron hive ignore <id> --for 30m`: stops notices and escalation for that TheHive alert for a while. */
export async function hiveIgnoreCommand(id: string, options: { config: string; for: string; comment?: string; author?: string }): Promise<number> {
  const { stateFile, lockWait } = await hiveConfig(options.config, true);
  const duration = durationOption('--for', options.for);
  const now = clockFromEnv()();
  const silence = {
    id: randomBytes(4).toString('hex'),
    alert: '*',
    key: id,
    createdAt: now,
    endsAt: now + duration,
    comment: options.comment ?? `TheHive alert ${id} ignored from the shell`,
    author: options.author ?? currentUser(),
  };
  await changeState(stateFile, lockWait, (data) => data.silences.push(silence));
  console.log(`ignoring: ${describeSilence(silence, now)}`);
  return ExitCode.ok;
}
