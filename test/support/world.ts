import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { createIndex, deleteIndices } from './seed.js';
import { createProject, type Project, type ProjectOptions } from './project.js';
import { startSlackServer, type SlackServer } from './slackServer.js';
import { startSmtpSink, type SmtpSink } from './smtpSink.js';

/** The search engine the test runner started (or an external cluster). */
export function testEsUrl(): string {
  const url = process.env.ALERTCRON_TEST_ES_URL;
  if (!url) throw new Error('ALERTCRON_TEST_ES_URL is not set: run the tests with npm test, which starts the search engine');
  return url;
}

/** The real parts one test file talks to: the engine, an SMTP sink and a fake Slack, plus projects to clean up. */
export interface World {
  esUrl: string;
  smtp: SmtpSink;
  slack: SlackServer;
  /** Creates a fresh index with keyword strings, named uniquely under the prefix. */
  index(prefix: string): Promise<string>;
  /** Creates a temporary project wired to this world's engine and sinks. */
  project(extra?: Partial<ProjectOptions>): Project;
}

/** Registers hooks that start a world for the current test file, empty its sinks before each test, and stop it. */
export function useWorld(): World {
  const projects: Project[] = [];
  const indices: string[] = [];
  const world = {} as World;
  before(async () => {
    world.esUrl = testEsUrl();
    world.smtp = await startSmtpSink();
    world.slack = await startSlackServer();
    world.index = async (prefix) => {
      const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
      await createIndex(world.esUrl, name);
      indices.push(name);
      return name;
    };
    world.project = (extra = {}) => {
      const project = createProject({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url, ...extra });
      projects.push(project);
      return project;
    };
  });
  beforeEach(() => {
    world.smtp.messages.length = 0;
    world.smtp.refuseWith = undefined;
    world.smtp.refuseRecipients = undefined;
    world.smtp.acceptDelayMs = undefined;
    world.slack.requests.length = 0;
    world.slack.behaviour = 'ok';
    world.slack.delayMs = 0;
    world.slack.retryAfter = '1';
    world.slack.refuseTables = false;
  });
  after(async () => {
    for (const project of projects) project.cleanup();
    if (world.esUrl) await deleteIndices(world.esUrl, indices);
    await world.smtp?.close();
    await world.slack?.close();
  });
  return world;
}

/** ISO form of an epoch time, as ALERTCRON_NOW takes it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Runs alertcron in `project` at a time (ALERTCRON_NOW), expects exit 0 and gives its stdout. */
export async function runOkAt(project: Project, at: number, args: string[] = ['run']): Promise<string> {
  const result = await project.run(args, { ALERTCRON_NOW: iso(at) });
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
