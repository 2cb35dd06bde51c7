import { resolve } from 'node:path';
import type { AskPolicy, PersonEntry, WorkingHours } from '../model/alert.js';
import { canAsk } from '../notify/registry.js';
import { CHANNEL_KINDS, channelKind } from '../notify/channels/registry.js';
import { parseDuration } from '../util/duration.js';
import { closestWord } from '../util/closestWord.js';
import { readInputFile } from '../util/readInputFile.js';
import type { Problem } from './problems.js';
import type { Config } from './types.js';
import { parseYamlFile } from './yamlDocument.js';
import { plainMap } from '../util/plainMap.js';

/** The `ask:` section of an alert as written. */
export interface RawAsk {
  person: string;
  people?: string;
  via: string;
  question: string;
  deadline?: string;
  working_hours?: { days?: string[]; from: string; to: string; timezone: string };
  two_factor?: boolean;
  escalate?: string[];
  quiet_after_yes?: string;
  links?: string[];
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Checks what the schema cannot: the ask channel can hold conversations, escalation channels exist, Duo is configured, the hours make sense. */
export function checkAsk(config: Config, ask: RawAsk, notify: unknown, at: (where: (string | number)[], message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const known = !config.contentUnknown;
  const names = Object.keys(config.channels);
  const unknown = (name: string) => {
    const guess = closestWord(name, names);
    return `unknown channel "${name}" (${guess ? `did you mean "${guess}"?` : names.length ? `configured: ${names.join(', ')}` : 'alertcron.yaml defines no channels'})`;
  };
  if (known && typeof ask.via === 'string') {
    const channel = config.channels[ask.via];
    if (!channel) problems.push(at(['ask', 'via'], unknown(ask.via)));
    // A channel whose type names no kind is reported at its own line already: it is no kind to judge here.
    else if (channelKind(channel.type) && !canAsk(channel)) {
      const able = names.filter((n) => canAsk(config.channels[n]!));
      const kinds = CHANNEL_KINDS.filter((kind) => kind.ask).map((kind) => kind.type).join(' or ');
      problems.push(at(['ask', 'via'], `channel "${ask.via}" is a ${channel.type} channel, which cannot hold a private conversation: ask needs a ${kinds} channel${able.length ? ` (configured: ${able.join(', ')})` : ''}`));
    }
  }
  if (known) (Array.isArray(ask.escalate) ? ask.escalate : []).forEach((name, i) => typeof name === 'string' && !config.channels[name] && problems.push(at(['ask', 'escalate', i], unknown(name))));
  if (known && ask.two_factor !== false && !config.duo) {
    problems.push(at('two_factor' in ask ? ['ask', 'two_factor'] : ['ask'], 'a yes is confirmed with a Duo push, but alertcron.yaml has no duo: section: add one (api_url, integration_key, secret_key) or set ask.two_factor: false'));
  }
  const hours = ask.working_hours;
  if (hours && typeof hours === 'object') {
    if (typeof hours.timezone === 'string') {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone });
      } catch {
        problems.push(at(['ask', 'working_hours', 'timezone'], `unknown time zone "${hours.timezone}": use an IANA name such as Europe/Berlin or America/Los_Angeles`));
      }
    }
    if (typeof hours.from === 'string' && typeof hours.to === 'string' && /^\d\d:\d\d$/.test(hours.from) && /^\d\d:\d\d$/.test(hours.to) && minutes(hours.from) >= minutes(hours.to)) {
      problems.push(at(['ask', 'working_hours', 'to'], `working hours end (${hours.to}) before they start (${hours.from}): hours that run past midnight are not supported, write e.g. from: "08:00", to: "20:00"`));
    }
  }
  if (ask.escalate === undefined && !(Array.isArray(notify) && notify.length)) problems.push(at(['ask'], 'ask needs escalate: channels (or the alert\'s notify) to tell when the person says no or stays silent'));
  return problems;
}

/** The ask policy with its defaults; the people file is read apart (loadPeople). */
export function completeAsk(ask: RawAsk, notify: string[]): AskPolicy {
  const hours = ask.working_hours;
  const workingHours: WorkingHours | undefined = hours
    ? { days: (hours.days ?? ['mon', 'tue', 'wed', 'thu', 'fri']).map((d) => DAYS.indexOf(d)), from: minutes(hours.from), to: minutes(hours.to), timezone: hours.timezone }
    : undefined;
  return {
    person: ask.person,
    people: plainMap(),
    via: ask.via,
    question: ask.question,
    deadline: parseDuration(ask.deadline ?? '2h'),
    ...(workingHours ? { working_hours: workingHours } : {}),
    two_factor: ask.two_factor !== false,
    escalate: ask.escalate ?? notify,
    quiet_after_yes: parseDuration(ask.quiet_after_yes ?? '21h'),
    links: ask.links ?? [],
  };
}

/** Most bytes of a people file. */
const PEOPLE_MAX_BYTES = 4 * 1024 * 1024;
const ENTRY_KEYS = ['email', 'slack', 'telegram', 'duo'];

/**
 * Reads an `ask.people` file: a YAML map from user names to an email (a string) or to {email, slack, telegram,
 * duo}. Every problem names the file, the line and the fix; a file that cannot be read is reported at `naming`, the
 * place in the alert that names it.
 */
export async function loadPeople(config: Config, path: string, naming: (message: string) => Problem): Promise<{ people: Record<string, PersonEntry> } | { problems: Problem[] }> {
  const full = resolve(config.dir, path);
  const read = readInputFile(full, PEOPLE_MAX_BYTES);
  if ('problem' in read) return { problems: [naming(`ask.people file ${path} ${read.problem.message}${read.problem.line ? ` (line ${read.problem.line})` : ''} (a path relative to the folder of alertcron.yaml)`)] };
  const yaml = await parseYamlFile(path, read.text);
  if (yaml.problems.length) return { problems: yaml.problems };
  const value = yaml.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) return { problems: [{ file: path, line: 1, col: 1, message: 'a people file is a map of user names, e.g. "alice: alice@example.org" or "alice: {slack: U0123ABCD, duo: alice}"' }] };
  const people: Record<string, PersonEntry> = plainMap();
  const problems: Problem[] = [];
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const here = (where: (string | number)[], message: string): Problem => ({ file: path, ...yaml.locate(where), path: '/' + where.join('/'), message });
    if (typeof entry === 'string' || typeof entry === 'number') {
      const text = String(entry);
      people[name] = text.includes('@') ? { email: text } : /^-?\d+$/.test(text) ? { telegram: text } : { slack: text };
      continue;
    }
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(here([name], `"${name}" must be an email or a map with email, slack, telegram or duo`));
      continue;
    }
    const record = entry as Record<string, unknown>;
    const extra = Object.keys(record).filter((k) => !ENTRY_KEYS.includes(k));
    if (extra.length) problems.push(here([name, extra[0]!], `unknown key "${extra[0]}" (use ${ENTRY_KEYS.join(', ')})`));
    for (const key of ENTRY_KEYS) {
      if (record[key] !== undefined && typeof record[key] !== 'string' && typeof record[key] !== 'number') problems.push(here([name, key], `${key} must be a string`));
    }
    if (typeof record.email === 'string' && !/^[^@\s<>,]+@[^@\s<>,]+$/.test(record.email)) problems.push(here([name, 'email'], `"${record.email}" is not an email address`));
    if (record.telegram !== undefined && !/^-?\d+$/.test(String(record.telegram))) problems.push(here([name, 'telegram'], 'telegram is the numeric user id (the bot sees it in the person\'s first message)'));
    people[name] = Object.fromEntries(ENTRY_KEYS.filter((k) => record[k] !== undefined).map((k) => [k, String(record[k])]));
  }
  return problems.length ? { problems } : { people };
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}
