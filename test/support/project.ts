import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { summariseKeys } from '../../src/state/keyHistory.js';
import { keyFileText, keyLine, sectionText } from '../../src/state/keyFile.js';
import { ReceiptLog } from '../../src/state/receiptLog.js';

/** The repository root (tests run from dist/test/support). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
/** The CLI entry point, spawned as a user would. */
export const BIN = join(REPO_ROOT, 'bin', 'alertcron.js');

/** What a CLI invocation printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temporary alertcron folder: alertcron.yaml, alerts/, queries/, state/, and a way to run the CLI in it. */
export interface Project {
  dir: string;
  env: Record<string, string>;
  writeConfig(config: Record<string, unknown>): void;
  writeAlert(name: string, alert: Record<string, unknown> | string): void;
  writeQuery(name: string, query: Record<string, unknown>): void;
  copyExamples(): void;
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  spawn(args: string[], env?: Record<string, string>): ChildProcess;
  state(): any;
  audit(): any[];
  cleanup(): void;
}

/** Runs the CLI in any folder (not a prepared project), with a private parse cache, as a user would. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(cwd, '.cache'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Options for the default configuration of a test project. */
export interface ProjectOptions {
  esUrl: string;
  smtpPort?: number;
  slackUrl?: string;
  extraConfig?: Record<string, unknown>;
}

/** Creates a project folder with a configuration pointing at the given engine and sinks. */
export function createProject(options: ProjectOptions): Project {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-test-'));
  mkdirSync(join(dir, 'alerts'));
  mkdirSync(join(dir, 'queries'));
  const env: Record<string, string> = { SLACK_WEBHOOK_URL: options.slackUrl ?? 'http://127.0.0.1:9/services/none' };
  const project: Project = {
    dir,
    env,
    writeConfig(config) {
      writeFileSync(join(dir, 'alertcron.yaml'), stringify(config));
    },
    writeAlert(name, alert) {
      writeFileSync(join(dir, 'alerts', `${name}.yaml`), typeof alert === 'string' ? alert : stringify(alert));
    },
    writeQuery(name, query) {
      writeFileSync(join(dir, 'queries', name), JSON.stringify(query, null, 2));
    },
    copyExamples() {
      cpSync(join(REPO_ROOT, 'alerts'), join(dir, 'alerts'), { recursive: true });
      cpSync(join(REPO_ROOT, 'queries'), join(dir, 'queries'), { recursive: true });
      cpSync(join(REPO_ROOT, 'people.yaml'), join(dir, 'people.yaml'));
    },
    spawn(args, extraEnv = {}) {
      return spawn(process.execPath, [BIN, ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', XDG_CACHE_HOME: join(dir, '.cache'), ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    run(args, extraEnv = {}) {
      const child = project.spawn(args, extraEnv);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    },
    state() {
      return readStateFiles(join(dir, 'state', 'state.json'));
    },
    audit() {
      const file = join(dir, 'state', 'audit.log');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  project.writeConfig(defaultConfig(options));
  return project;
}

/** The configuration a test project starts with: the engine, an SMTP sink and a Slack webhook from the environment. */
export function defaultConfig(options: ProjectOptions): Record<string, unknown> {
  return {
    elasticsearch: { url: options.esUrl, timeout: '10s' },
    channels: {
      'soc-email': { type: 'email', host: '127.0.0.1', port: options.smtpPort ?? 9, starttls: 'ignore', from: 'alertcron@test.local', to: ['soc@test.local'], timeout: '3s' },
      'soc-slack': { type: 'slack', webhook_url: '${SLACK_WEBHOOK_URL}', timeout: '3s' },
    },
    // Exact windows for the tests; the real default (30s) has its own test.
    defaults: { first_lookback: '10m', ingest_delay: '0s' },
    delivery: { deadline: '10s', attempt_timeout: '3s', retries: 1 },
    state: { lock_wait: '15s' },
    ...options.extraConfig,
  };
}

/**
 * The whole state as one object, as the file store keeps it: state.json, with each alert's keys taken from the key
 * files it names (the key file and the files of changes since, read as the store reads them), and the receipts (`sent`)
 * from the receipt log beside it unless state.json still holds them; undefined when there is none.
 */
export function readStateFiles(file: string): any {
  if (!existsSync(file)) return undefined;
  const { keyFile, keyDeltas, ...state } = JSON.parse(readFileSync(file, 'utf8'));
  state.sent ??= readReceiptLog(file);
  if (typeof keyFile === 'string') {
    const texts = [keyFile, ...(keyDeltas ?? [])].map((name: string) => ({ name, text: readFileSync(join(dirname(file), name), 'utf8') }));
    const keys = parseKeyFiles(texts.map((t: { text: string }) => t.text));
    for (const [name, alert] of Object.entries(state.alerts) as [string, { keys?: unknown }][]) alert.keys = keys.get(name) ?? {};
  }
  for (const alert of Object.values(state.alerts) as { keys?: unknown }[]) alert.keys ??= {};
  return JSON.parse(JSON.stringify(state));
}

/**
 * The alerts' keys of a key file and its files of changes, read by a parser of the format of its own (not the
 * KeyStore under test): `A` sections replace an alert's keys, `U` sections add, change (in place) or forget keys
 * (a forgotten key written again comes last); a line whose state is not JSON is left out, reading stops at a bad header.
 */
export function parseKeyFiles(texts: string[]): Map<string, Record<string, unknown>> {
  const alerts = new Map<string, Map<string, unknown>>();
  const magic = 'alertcron keys 2\n';
  for (const text of texts) {
    if (!text.startsWith(magic)) {
      // The older key file: one line per alert, its name, summary and keys as JSON, tab apart.
      for (const line of text.split('\n').filter(Boolean)) {
        const [name, , keys] = line.split('\t');
        alerts.set(JSON.parse(name!), new Map(Object.entries(JSON.parse(keys!))));
      }
      continue;
    }
    let pos = magic.length;
    while (pos < text.length) {
      const headerEnd = text.indexOf('\n', pos);
      const [kind, alertJson, , length] = text.slice(pos, headerEnd).split('\t');
      if ((kind !== 'A' && kind !== 'U') || !/^\d+$/.test(length ?? '')) break;
      const alert = JSON.parse(alertJson!) as string;
      if (kind === 'A' || !alerts.has(alert)) alerts.set(alert, new Map());
      const keys = alerts.get(alert)!;
      const body = text.slice(headerEnd + 1, headerEnd + 1 + Number(length));
      for (const line of body.split('\n').filter(Boolean)) {
        const first = line.indexOf('\t');
        const second = line.indexOf('\t', first + 1);
        const key = JSON.parse(line.slice(0, first)) as string;
        if (second === first + 1) {
          keys.delete(key);
          continue;
        }
        try {
          keys.set(key, JSON.parse(line.slice(second + 1)));
        } catch {
          keys.delete(key);
        }
      }
      pos = headerEnd + 1 + Number(length);
    }
  }
  const result = new Map<string, Record<string, unknown>>();
  for (const [alert, keys] of alerts) result.set(alert, Object.fromEntries(keys));
  return result;
}

/**
 * Rewrites the key files of a file store as one key file holding the keys `edit` leaves (it gets every alert's keys
 * as plain JSON and may change them in place, wrong shapes included), as a hand edit would.
 */
export function editKeyFile(file: string, edit: (keys: Record<string, Record<string, any>>) => void): void {
  const state = readStateFiles(file);
  const keys: Record<string, Record<string, any>> = {};
  for (const [name, alert] of Object.entries(state.alerts) as [string, { keys: Record<string, any> }][]) keys[name] = alert.keys;
  edit(keys);
  const sections = Object.entries(keys).map(([name, map]) => sectionText(name, summariseKeys(map), true, Object.entries(map).map(([k, v]) => keyLine(JSON.stringify(k), typeof v?.lastSeen === 'number' ? v.lastSeen : 0, JSON.stringify(v))).join('')));
  const head = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(join(dirname(file), head.keyFile), keyFileText(sections));
  delete head.keyDeltas;
  writeFileSync(file, JSON.stringify(head));
}

/** The receipts in the log beside a state file (`<file>.receipts/<seq>-<day>.jsonl`), files in order, the last line of each id winning. */
export function readReceiptLog(file: string): any[] {
  const folder = `${file}.receipts`;
  const byId = new Map<string, any>();
  if (!existsSync(folder)) return [];
  for (const { name } of new ReceiptLog(folder).files()) {
    for (const line of readFileSync(join(folder, name), 'utf8').split('\n')) if (line) byId.set(JSON.parse(line).id, JSON.parse(line));
  }
  return [...byId.values()];
}
