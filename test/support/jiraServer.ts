import { after, before, beforeEach } from 'node:test';
import { startHttpRecorder, type Answer, type HttpRecorder, type RecordedRequest } from './httpRecorder.js';

/** An issue as the fake Jira keeps it: the fields it was created with, its status, comments and watchers. */
export interface FakeJiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & { summary: string; description?: string; labels: string[] };
  status: 'To Do' | 'In Progress' | 'Done';
  comments: string[];
  watchers: string[];
  /** When it was created (the server's clock), for the search's lag. */
  createdAt: number;
}

/**
 * A local server that follows Jira's REST API v2 as alertcron uses it: POST /rest/api/2/issue (field checks with
 * Jira's `{errorMessages, errors}` 400 bodies), the JQL search (Cloud: /rest/api/2/search/jql, the old /search
 * answering 410; Server: /search, no /search/jql) over project, labels and statusCategory, comments, watchers and a
 * To Do -> In Progress -> Done workflow; Basic (user + API token) or Bearer (PAT) auth, 401 otherwise.
 */
export interface JiraServer extends HttpRecorder {
  user: string;
  apiToken: string;
  pat: string;
  /** Jira Cloud (default) or Server/Data Center: which search endpoint exists. */
  flavour: 'cloud' | 'server';
  issues: FakeJiraIssue[];
  /** The project key, its components and issue types. */
  project: { key: string; components: string[]; issueTypes: string[] };
  /** How many of the next issue creates store the issue and then answer 500 (the first attempt got through). */
  createFailures: number;
  /** How many of the next requests answer 429 with Retry-After: 1, doing nothing. */
  busy: number;
  /** Whether a 401 body repeats the Authorization header it received (a server that echoes credentials). */
  echoAuth: boolean;
  /** How long a new issue stays out of search results (Jira Cloud's search is eventually consistent); default 0. */
  searchLagMs: number;
  /** Moves an issue to a status, as a person would in Jira. */
  setStatus(key: string, status: FakeJiraIssue['status']): void;
}

const CATEGORY: Record<FakeJiraIssue['status'], { key: string; name: string }> = {
  'To Do': { key: 'new', name: 'To Do' },
  'In Progress': { key: 'indeterminate', name: 'In Progress' },
  Done: { key: 'done', name: 'Done' },
};
/** The workflow: transitions offered in each status (id, name, target status). */
const WORKFLOW: Record<FakeJiraIssue['status'], { id: string; name: string; to: FakeJiraIssue['status'] }[]> = {
  'To Do': [
    { id: '11', name: 'Start Progress', to: 'In Progress' },
    { id: '31', name: 'Resolve Issue', to: 'Done' },
  ],
  'In Progress': [
    { id: '21', name: 'Stop Progress', to: 'To Do' },
    { id: '31', name: 'Resolve Issue', to: 'Done' },
  ],
  Done: [{ id: '41', name: 'Reopen Issue', to: 'To Do' }],
};
const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
const USERS = ['jdoe', 'asmith'];
const TEXT_LIMIT = 32_767;

const fieldErrors = (errors: Record<string, string>): Answer => ({ status: 400, body: { errorMessages: [], errors } });
const messages = (status: number, ...errorMessages: string[]): Answer => ({ status, body: { errorMessages, errors: {} } });
const statusOf = (issue: FakeJiraIssue) => ({ name: issue.status, statusCategory: CATEGORY[issue.status] });

/** Starts the fake Jira. */
export async function startJiraServer(): Promise<JiraServer> {
  const fake = {
    user: 'alertcron@example.org',
    apiToken: 'jira-api-token-SECRET-6021',
    pat: 'jira-pat-SECRET-7713',
    flavour: 'cloud' as JiraServer['flavour'],
    issues: [] as FakeJiraIssue[],
    project: { key: 'SEC', components: ['SOC', 'Network'], issueTypes: ['Task', 'Bug'] },
    createFailures: 0,
    busy: 0,
    echoAuth: false,
    searchLagMs: 0,
  };
  // The handlers read the settings a test changes on the returned server.
  let state = fake as unknown as JiraServer;
  const byKey = (key: string) => state.issues.find((issue) => issue.key === key);

  const create = (body: { fields?: Record<string, unknown> }): Answer => {
    const fields = body.fields ?? {};
    const errors: Record<string, string> = {};
    if ((fields.project as { key?: string } | undefined)?.key !== state.project.key) errors.project = 'valid project is required';
    if (!state.project.issueTypes.includes(String((fields.issuetype as { name?: string } | undefined)?.name))) errors.issuetype = 'valid issue type is required';
    const summary = fields.summary;
    if (typeof summary !== 'string' || !summary.trim()) errors.summary = 'You must specify a summary of the issue.';
    else if (/[\r\n]/.test(summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
    else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    if (typeof fields.description === 'string' && fields.description.length > TEXT_LIMIT) errors.description = `The entered text is too long. It exceeds the allowed limit of ${TEXT_LIMIT.toLocaleString('en')} characters.`;
    for (const label of (fields.labels as unknown[] | undefined) ?? []) {
      if (typeof label !== 'string' || /\s/.test(label)) errors.labels = `The label '${String(label)}' contains spaces which is invalid.`;
      else if (label.length > 255) errors.labels = 'The label must not exceed 255 characters.';
    }
    for (const component of (fields.components as { name?: string }[] | undefined) ?? []) {
      if (!state.project.components.includes(String(component.name))) errors.components = `Component name '${String(component.name)}' is not valid`;
    }
    const priority = fields.priority as { name?: string } | undefined;
    if (priority && !PRIORITIES.includes(String(priority.name))) errors.priority = `Specify a valid value for priority`;
    const assignee = fields.assignee as { name?: string; accountId?: string } | undefined;
    if (assignee && !USERS.includes(String(assignee.name ?? assignee.accountId))) errors.assignee = `User '${String(assignee.name ?? assignee.accountId)}' does not exist.`;
    if (Object.keys(errors).length) return fieldErrors(errors);
    const number = state.issues.length + 1;
    const id = String(10_000 + number);
    const key = `${state.project.key}-${number}`;
    state.issues.push({ id, key, fields: fields as FakeJiraIssue['fields'], status: 'To Do', comments: [], watchers: [], createdAt: Date.now() });
    if (state.createFailures > 0) {
      state.createFailures--;
      return messages(500, 'Internal server error');
    }
    return { status: 201, body: { id, key, self: `${server.base}/rest/api/2/issue/${id}` } };
  };

  /** The JQL subset alertcron sends: `field = "v"` / `field != v` clauses joined by AND, then ORDER BY. */
  const search = (jql: string): Answer => {
    const where = jql.split(/\s+ORDER\s+BY\s+/i)[0]!;
    const tests: ((issue: FakeJiraIssue) => boolean)[] = [];
    for (const clause of where.split(/\s+AND\s+/)) {
      const match = /^(\w+)\s*(=|!=)\s*(?:"([^"]*)"|(\w+))$/.exec(clause.trim());
      if (!match) return messages(400, `Error in the JQL Query: Expecting a clause but got '${clause}'.`);
      const [, field, op, quoted, bare] = match;
      const value = quoted ?? bare!;
      const equal = (has: (issue: FakeJiraIssue) => boolean) => tests.push(op === '=' ? has : (issue) => !has(issue));
      if (field === 'project') {
        if (value !== state.project.key) return messages(400, `The value '${value}' does not exist for the field 'project'.`);
        equal((issue) => (issue.fields.project as { key: string }).key === value);
      } else if (field === 'labels') equal((issue) => issue.fields.labels.includes(value));
      else if (field === 'statusCategory') equal((issue) => CATEGORY[issue.status].name.toLowerCase() === value.toLowerCase());
      else return messages(400, `Field '${field}' does not exist or you do not have permission to view it.`);
    }
    const found = state.issues.filter((issue) => Date.now() - issue.createdAt >= state.searchLagMs && tests.every((t) => t(issue))).reverse();
    return { status: 200, body: { issues: found.map((issue) => ({ id: issue.id, key: issue.key, fields: { status: statusOf(issue) } })), ...(state.flavour === 'cloud' ? { isLast: true } : { startAt: 0, maxResults: 50, total: found.length }) } };
  };

  const handle = (request: RecordedRequest): Answer => {
    const basic = `Basic ${Buffer.from(`${state.user}:${state.apiToken}`).toString('base64')}`;
    const auth = request.headers.authorization;
    if (auth !== basic && auth !== `Bearer ${state.pat}`) {
      return messages(401, state.echoAuth ? `Client must be authenticated to access this resource (got ${String(auth)})` : 'Client must be authenticated to access this resource.');
    }
    if (state.busy > 0) {
      state.busy--;
      return { status: 429, body: 'Rate limit exceeded.', headers: { 'retry-after': '1' } };
    }
    const url = new URL(request.path, 'http://jira');
    const body = request.body ? (JSON.parse(request.body) as unknown) : undefined;
    if (request.method === 'POST' && url.pathname === '/rest/api/2/issue') return create(body as { fields?: Record<string, unknown> });
    if (request.method === 'GET' && (url.pathname === '/rest/api/2/search/jql' || url.pathname === '/rest/api/2/search')) {
      const cloudOnly = url.pathname.endsWith('/jql');
      if (cloudOnly && state.flavour === 'server') return { status: 404, body: '<html><body>Not Found</body></html>' };
      if (!cloudOnly && state.flavour === 'cloud') return messages(410, 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.');
      return search(url.searchParams.get('jql') ?? '');
    }
    const match = /^\/rest\/api\/2\/issue\/([^/]+)(?:\/(comment|transitions|watchers))?$/.exec(url.pathname);
    const issue = match ? byKey(decodeURIComponent(match[1]!)) : undefined;
    if (match && !issue) return messages(404, 'Issue Does Not Exist');
    if (!match || !issue) return { status: 404, body: '<html><body>Not Found</body></html>' };
    const part = match[2];
    if (!part && request.method === 'GET') return { status: 200, body: { id: issue.id, key: issue.key, fields: { status: statusOf(issue) } } };
    if (part === 'comment' && request.method === 'POST') {
      const text = (body as { body?: unknown }).body;
      if (typeof text !== 'string' || !text.trim()) return fieldErrors({ comment: 'Comment body can not be empty!' });
      if (text.length > TEXT_LIMIT) return fieldErrors({ comment: `The entered text is too long. It exceeds the allowed limit of ${TEXT_LIMIT.toLocaleString('en')} characters.` });
      issue.comments.push(text);
      return { status: 201, body: { id: String(issue.comments.length), body: text } };
    }
    if (part === 'transitions' && request.method === 'GET') {
      return { status: 200, body: { transitions: WORKFLOW[issue.status].map((t) => ({ id: t.id, name: t.name, to: { name: t.to, statusCategory: CATEGORY[t.to] } })) } };
    }
    if (part === 'transitions' && request.method === 'POST') {
      const id = (body as { transition?: { id?: unknown } }).transition?.id;
      const transition = WORKFLOW[issue.status].find((t) => t.id === id);
      if (!transition) return messages(400, `Transition id '${String(id)}' is not valid for this issue.`);
      issue.status = transition.to;
      return { status: 204, body: '' };
    }
    if (part === 'watchers' && request.method === 'POST') {
      if (typeof body !== 'string' || !USERS.includes(body)) return messages(404, `The user "${String(body)}" does not exist.`);
      issue.watchers.push(body);
      return { status: 204, body: '' };
    }
    return messages(405, 'Method not allowed');
  };

  const server = await startHttpRecorder(handle);
  state = Object.assign(server, fake, {
    setStatus(key: string, status: FakeJiraIssue['status']) {
      byKey(key)!.status = status;
    },
  }) as unknown as JiraServer;
  return state;
}

/** Registers hooks that start one fake Jira for a test file, reset it before each test, and stop it. */
export function useJiraServer(): { server: JiraServer } {
  const holder = {} as { server: JiraServer };
  before(async () => (holder.server = await startJiraServer()));
  beforeEach(() => {
    Object.assign(holder.server, { flavour: 'cloud', createFailures: 0, busy: 0, echoAuth: false, searchLagMs: 0 });
    holder.server.issues.length = 0;
    holder.server.requests.length = 0;
  });
  after(() => holder.server.close());
  return holder;
}
