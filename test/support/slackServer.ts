import { startHttpRecorder, type Answer } from './httpRecorder.js';
import { slackBlocksProblem } from './slackBlocks.js';

/** How the fake Slack answers the next requests. */
export type SlackBehaviour = 'ok' | 'server-error' | 'rate-limited' | 'hang' | 'no-service' | 'invalid-payload' | 'invalid-blocks';

/** One payload Slack accepted or refused, with the answer given (0 when it hung). */
export interface SlackRequest {
  path: string;
  body: unknown;
  status: number;
}

/** A local HTTP server speaking Slack's incoming-webhook protocol (plain-text bodies, documented statuses). */
export interface SlackServer {
  port: number;
  url: string;
  requests: SlackRequest[];
  /** The payloads Slack accepted (status 200). */
  accepted(): unknown[];
  behaviour: SlackBehaviour;
  /** The Retry-After header (seconds) of a rate-limited answer; default 1. */
  retryAfter: string;
  /** How long each answer takes (a slow Slack), 0 by default. */
  delayMs: number;
  /** Whether it refuses table blocks (400 invalid_blocks), as a workspace without them would; false by default. */
  refuseTables: boolean;
  /** Resolves when the next request arrives. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

const ANSWERS: Record<Exclude<SlackBehaviour, 'hang' | 'rate-limited'>, Answer> = {
  ok: { status: 200, body: 'ok' },
  'server-error': { status: 500, body: 'rollup_error' },
  'no-service': { status: 404, body: 'no_service' },
  'invalid-payload': { status: 400, body: 'invalid_payload' },
  'invalid-blocks': { status: 400, body: 'invalid_blocks' },
};

/** Starts the fake Slack on 127.0.0.1; its webhook URL is `url` (a path like Slack's /services/T/B/X). */
export async function startSlackServer(): Promise<SlackServer> {
  const requests: SlackRequest[] = [];
  let behaviour: SlackBehaviour = 'ok';
  let delayMs = 0;
  const recorder = await startHttpRecorder((request) => {
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      body = undefined;
    }
    // Slack answers 400 invalid_blocks to blocks it cannot show (see slackBlocks.ts).
    const current = body === undefined ? 'invalid-payload' : slackBlocksProblem((body as { blocks?: unknown }).blocks, { tables: !server.refuseTables }) ? 'invalid-blocks' : behaviour;
    const answer = current === 'hang' ? 'hang' : current === 'rate-limited' ? { status: 429, body: 'rate_limited', headers: { 'retry-after': server.retryAfter } } : ANSWERS[current];
    requests.push({ path: request.path, body, status: answer === 'hang' ? 0 : answer.status });
    return answer === 'hang' ? answer : { ...answer, delayMs };
  });
  const server: SlackServer = {
    port: recorder.port,
    url: `${recorder.base}/services/T000/B000/XXXXXXXXSECRETTOKEN`,
    requests,
    accepted: () => requests.filter((r) => r.status === 200).map((r) => r.body),
    get behaviour() {
      return behaviour;
    },
    set behaviour(value: SlackBehaviour) {
      behaviour = value;
    },
    retryAfter: '1',
    refuseTables: false,
    get delayMs() {
      return delayMs;
    },
    set delayMs(value: number) {
      delayMs = value;
    },
    nextRequest: () => recorder.nextRequest(),
    close: () => recorder.close(),
  };
  return server;
}
