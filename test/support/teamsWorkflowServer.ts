// A local Power Automate / Logic Apps HTTP trigger behaving like a Teams Workflows webhook ("When a Teams webhook
// request is received" feeding "Post card in a chat or channel"): it checks the URL's signature, answers 202 Accepted
// to any JSON body, then "runs the flow": posts the Adaptive Card, or records a failed run (what Teams refuses: not a
// message with an Adaptive Card attachment, an element it does not know, a message over 28 KB) as the real flow's
// run history would. Throttling (429 with Retry-After) and server errors are answered on demand.
import { startHttpRecorder, type Answer, type HttpRecorder } from './httpRecorder.js';
import { useServer } from './useServer.js';

/** Teams' limit on one message, the card included. */
export const TEAMS_MESSAGE_BYTES = 28 * 1024;

/** One card the flow posted to the channel. */
export interface PostedCard {
  card: Record<string, any>;
}

/** The fake workflow: its URL (with the signature), what it received, posted and failed, and the answers queued. */
export interface TeamsWorkflowServer {
  recorder: HttpRecorder;
  /** The trigger URL as Teams gives it (prod-XX.logic.azure.com form: api-version, sp, sv and sig). */
  url: string;
  /** The signature in the URL: the secret. */
  sig: string;
  posted: PostedCard[];
  /** Flow runs that failed after the 202 (the card could not be posted), with Teams' reason. */
  failedRuns: string[];
  /** Answers to give to the next requests instead of the normal one (e.g. 429 with Retry-After, 502). */
  answers: Answer[];
  /** Whether an error answer echoes the signature it was given (as some gateways do), to check that alertcron redacts it. */
  echoUrl: boolean;
}

const WORKFLOW = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const PATH = `/workflows/${WORKFLOW}/triggers/manual/paths/invoke`;

const error = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

/** Adaptive Card elements Teams renders (the subset alertcron and common cards use), each with what it must hold. */
function elementProblem(element: any, where: string): string | undefined {
  if (!element || typeof element !== 'object') return `${where} is not an element`;
  switch (element.type) {
    case 'TextBlock':
      return typeof element.text === 'string' ? undefined : `${where}: TextBlock without text`;
    case 'RichTextBlock':
      if (!Array.isArray(element.inlines)) return `${where}: RichTextBlock without inlines`;
      for (const inline of element.inlines) if (!(typeof inline === 'string' || (inline?.type === 'TextRun' && typeof inline.text === 'string'))) return `${where}: an inline is not a TextRun`;
      return undefined;
    case 'FactSet':
      return Array.isArray(element.facts) && element.facts.every((f: any) => typeof f?.title === 'string' && typeof f?.value === 'string') ? undefined : `${where}: FactSet facts need title and value`;
    case 'ColumnSet':
      if (!Array.isArray(element.columns)) return `${where}: ColumnSet without columns`;
      for (const [i, column] of element.columns.entries()) {
        if (column?.type !== 'Column' || !Array.isArray(column.items)) return `${where}.columns[${i}] is not a Column with items`;
        for (const [j, item] of column.items.entries()) {
          const problem = elementProblem(item, `${where}.columns[${i}].items[${j}]`);
          if (problem) return problem;
        }
      }
      return undefined;
    case 'Container':
      return Array.isArray(element.items) ? element.items.map((item: any, i: number) => elementProblem(item, `${where}.items[${i}]`)).find(Boolean) : `${where}: Container without items`;
    default:
      return `${where}: unknown element type ${JSON.stringify(element.type)}`;
  }
}

/** What Teams refuses in a message the flow posts, or undefined when it posts it. */
export function teamsMessageProblem(body: any, bytes: number): string | undefined {
  if (bytes > TEAMS_MESSAGE_BYTES) return `RequestEntityTooLarge: the message is ${bytes} bytes, over Teams' 28 KB`;
  if (body?.type !== 'message' || !Array.isArray(body.attachments) || body.attachments.length === 0) return 'the body is not a message with attachments';
  for (const attachment of body.attachments) {
    if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') return `attachment contentType ${JSON.stringify(attachment?.contentType)} is not an Adaptive Card`;
    const card = attachment.content;
    if (card?.type !== 'AdaptiveCard' || typeof card.version !== 'string' || !Array.isArray(card.body)) return 'the attachment content is not an AdaptiveCard with a version and a body';
    if (!['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'].includes(card.version)) return `Adaptive Card version ${card.version} is not supported`;
    for (const [i, element] of card.body.entries()) {
      const problem = elementProblem(element, `body[${i}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * The texts of a card Teams reads as markdown (TextBlock text, a Fact's title and value) and those it shows as typed
 * (TextRun text), for inertness checks.
 */
export function cardTexts(card: any): { markdown: string[]; plain: string[] } {
  const out = { markdown: [] as string[], plain: [] as string[] };
  const walk = (node: any) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'TextBlock') out.markdown.push(node.text);
    if (node.type === 'FactSet') for (const fact of node.facts) out.markdown.push(fact.title, fact.value);
    if (node.type === 'TextRun') out.plain.push(node.text);
    if (node.type === 'RichTextBlock') for (const inline of node.inlines) if (typeof inline === 'string') out.plain.push(inline);
    for (const value of Object.values(node)) if (value && typeof value === 'object') walk(value);
  };
  walk(card.body);
  return out;
}

/** What Teams clients link by themselves in plain text: URLs, www. and bare label.tld domains (evil1.com), addresses and @mentions. */
export function teamsLinks(text: string): string[] {
  const patterns = [/[a-z]:\/\/\S*/gi, /[\p{L}\p{N}-]+\.\p{L}{2,}/gu, /[\w.+-]*@[\p{L}\p{N}_]\S*/gu];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[0]));
}

/** Starts the fake workflow trigger on 127.0.0.1. */
export async function startTeamsWorkflowServer(): Promise<TeamsWorkflowServer> {
  const server = { posted: [], failedRuns: [], answers: [], echoUrl: false, sig: 'Xq3vR9kLmN2pQ7sT5uVwY1zA4bC6dE8fG0hJ2kL4mN6' } as unknown as TeamsWorkflowServer;
  server.recorder = await startHttpRecorder((request) => {
    const url = new URL(request.path, 'http://fake');
    if (request.method !== 'POST') return error(405, 'TriggerRequestMethodNotValid', `The HTTP method for this request is not valid: expected 'Post' and actual '${request.method}'.`);
    if (url.pathname !== PATH) return error(404, 'WorkflowNotFound', `The workflow '${url.pathname.split('/')[2] ?? ''}' could not be found.`);
    if (url.searchParams.get('sig') !== server.sig) {
      const echo = server.echoUrl ? ` Signature: ${url.searchParams.get('sig') ?? ''}` : '';
      return error(401, 'DirectApiInvalidAuthorizationSignature', `The provided authorization signature is not valid.${echo}`);
    }
    const queued = server.answers.shift();
    if (queued) {
      if (queued !== 'hang' && server.echoUrl && queued.status >= 400) return { ...queued, body: { error: { code: 'Echo', message: `failed for signature ${url.searchParams.get('sig') ?? ''}` } } };
      return queued;
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return error(400, 'InvalidRequestContent', 'The request content is not valid and could not be deserialized.');
    }
    // The trigger accepts any JSON and answers at once; the post happens in the flow's run.
    const problem = teamsMessageProblem(body, Buffer.byteLength(request.body));
    if (problem) server.failedRuns.push(problem);
    else for (const attachment of (body as { attachments: { content: Record<string, unknown> }[] }).attachments) server.posted.push({ card: attachment.content });
    return { status: 202, body: '' };
  });
  server.url = `${server.recorder.base}${PATH}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${server.sig}`;
  return server;
}

/** Registers hooks that start the fake workflow for a test file, empty it before each test, and stop it. */
export function useTeamsWorkflowServer(): TeamsWorkflowServer {
  return useServer(
    startTeamsWorkflowServer,
    (server) => {
      server.recorder.requests.length = 0;
      server.posted.length = 0;
      server.failedRuns.length = 0;
      server.answers.length = 0;
      server.echoUrl = false;
    },
    (server) => server.recorder.close(),
  );
}
