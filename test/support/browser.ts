// A real browser for the page tests: Debian's headless Chromium driven over the Chrome DevTools Protocol on
// --remote-debugging-pipe (fd 3 to the browser, fd 4 from it, one JSON message per NUL), no npm package.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { inCi } from './ci.js';
import { REPO_ROOT } from './project.js';

/** The browser the tests drive: `ALERTCRON_TEST_CHROMIUM` or Debian's package. */
export const CHROMIUM = process.env.ALERTCRON_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots are kept for a person to look at after the suite (git-ignored). */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

/**
 * The environment variable naming the folder that the test runner (test/run.ts) makes for one run's browser profiles
 * and removes when the run ends, so a test file stopped at --test-timeout (its exit handlers never run) leaves none.
 */
export const PROFILES_DIR_ENV = 'ALERTCRON_TEST_BROWSER_PROFILES';

/** Where a browser's profile folder is made: the runner's folder for this run, else the system's temp folder. */
function profilesParent(): string {
  const dir = process.env[PROFILES_DIR_ENV];
  if (!dir) return tmpdir();
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The ids of the running processes (Linux /proc) whose command line has a `--user-data-dir` under dir. */
function browsersUnder(dir: string): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').some((arg) => arg.startsWith(`--user-data-dir=${dir}/`))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Ends the browsers still using a profile under the runner's profiles folder (those of a test file that was killed:
 * they write their profile while they shut down) and removes the folder.
 */
export async function removeProfiles(dir: string): Promise<void> {
  // Up to ~10 s: a browser's helpers may still write into the profile for a moment after it was killed (a loaded
  // machine makes that moment longer), so the folder is removed again until it is gone.
  for (let tries = 0; tries < 100; tries++) {
    for (const pid of browsersUnder(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    if (!browsersUnder(dir).length) {
      try {
        rmSync(dir, { recursive: true, force: true });
        return;
      } catch {
        // written into meanwhile: again
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/** How long any one answer from the browser may take by default before the test fails (a loaded 2-core machine included). */
const ANSWER_TIMEOUT_MS = 30_000;

/** How long the browser may take to start and answer its first command. */
const START_TIMEOUT_MS = 60_000;

/**
 * Why a browser test skips, or undefined when it runs: only a missing browser outside CI skips; in CI
 * (`CI` set, but not to `false` or `0`) a missing browser fails the test (openBrowser throws), so a broken install is never silent.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || inCi()) return undefined;
  return `no browser at ${CHROMIUM} (apt-get install --no-install-recommends chromium, or set ALERTCRON_TEST_CHROMIUM); in CI this fails`;
}

/** Options of one page: the colour scheme the page sees and the viewport's size in CSS pixels. */
export interface OpenOptions {
  colorScheme?: 'light' | 'dark';
  width?: number;
  height?: number;
}

/** One open tab. */
export interface Page {
  /** Evaluates a JavaScript expression in the page (promises awaited) and returns its value by value; throws with the exception's text. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls an expression until it is truthy, failing after timeoutMs with `what` in the message; returns its value. */
  waitFor<T>(expression: string, what: string, timeoutMs?: number): Promise<T>;
  /** Moves the mouse to (x, y) in CSS pixels of the viewport (a mousemove the page's listeners see). */
  hover(x: number, y: number): Promise<void>;
  /** Scrolls the first element matching a CSS selector into view and moves the mouse to its centre; returns that point. */
  hoverSelector(selector: string): Promise<{ x: number; y: number }>;
  /** Switches prefers-color-scheme as the page sees it. */
  colorScheme(scheme: 'light' | 'dark'): Promise<void>;
  /** Takes a PNG of the whole page, keeps it as test-output/screenshots/<name>.png and returns that path. */
  screenshot(name: string): Promise<string>;
  /** What went wrong in the page so far: uncaught exceptions, console errors, log errors (CSP violations among them). */
  errors(): string[];
  /** Closes the tab. */
  close(): Promise<void>;
}

/** A running browser. */
export interface Browser {
  /** The browser's process id (it leads its own process group). */
  readonly pid: number;
  /** Opens a file (a path or a file: URL) in a new tab and waits for its load event. */
  open(fileUrlOrPath: string, options?: OpenOptions): Promise<Page>;
  /** Stops the browser (its whole process group, even when it does not answer) and removes its profile folder. */
  close(): Promise<void>;
}

interface Waiter {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string; data?: string };
}

/** Cuts the bytes read from the browser's pipe into its messages: UTF-8 text ended by a NUL byte, however the reads split them. */
export class NulFrames {
  private pending: Buffer[] = [];

  /** Takes one read's bytes; returns the messages they complete, in order. */
  push(chunk: Buffer): string[] {
    const messages: string[] = [];
    let start = 0;
    let end: number;
    while ((end = chunk.indexOf(0, start)) >= 0) {
      this.pending.push(chunk.subarray(start, end));
      messages.push(Buffer.concat(this.pending).toString('utf8'));
      this.pending = [];
      start = end + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return messages;
  }
}

/** The CDP connection over the pipe: commands with ids and timeouts, events to listeners. */
class Connection {
  private nextId = 1;
  private readonly frames = new NulFrames();
  private readonly pending = new Map<number, Waiter & { method: string }>();
  private readonly listeners = new Set<(message: Message) => void>();
  private closedBecause: string | undefined;

  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
    /** How long one answer or one awaited event may take. */
    readonly timeoutMs: number,
  ) {
    fromBrowser.on('data', (chunk: Buffer) => this.receive(chunk));
    fromBrowser.on('error', () => this.fail('the pipe from the browser failed'));
    toBrowser.on('error', () => this.fail('the pipe to the browser failed'));
  }

  /** Sends one command (to a page when sessionId is given) and waits for its answer. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string, timeoutMs = this.timeoutMs): Promise<Record<string, unknown>> {
    if (this.closedBecause) return Promise.reject(new Error(`browser: cannot send ${method}: ${this.closedBecause}`));
    const id = this.nextId++;
    return new Promise((resolvePromise, rejectPromise) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectPromise(new Error(`browser: no answer to ${method} within ${timeoutMs / 1000} s (the browser hung or the machine is overloaded)`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolvePromise, reject: rejectPromise, timer, method });
      this.toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Waits for the first event that matches, failing after timeoutMs with `what` in the message. */
  waitEvent(match: (message: Message) => boolean, what: string, timeoutMs = this.timeoutMs): { promise: Promise<Message>; cancel: () => void } {
    let cancel = () => {};
    const promise = new Promise<Message>((resolvePromise, rejectPromise) => {
      const listener = (message: Message) => {
        if (!match(message)) return;
        cancel();
        resolvePromise(message);
      };
      const timer = setTimeout(() => {
        cancel();
        rejectPromise(new Error(`browser: ${what} did not happen within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      cancel = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
    return { promise, cancel };
  }

  /** Calls fn with every event from now on; returns what stops it. */
  onEvent(fn: (message: Message) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Fails every waiting command: the browser is gone. */
  fail(reason: string): void {
    if (this.closedBecause) return;
    this.closedBecause = reason;
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`browser: ${waiter.method} failed: ${reason}`));
      this.pending.delete(id);
    }
  }

  private receive(chunk: Buffer): void {
    for (const text of this.frames.push(chunk)) {
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        continue;
      }
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        if (!waiter) continue;
        this.pending.delete(message.id);
        clearTimeout(waiter.timer);
        if (message.error) waiter.reject(new Error(`browser: ${waiter.method}: ${message.error.message}${message.error.data ? ` (${message.error.data})` : ''}`));
        else waiter.resolve(message.result ?? {});
      } else {
        for (const listener of [...this.listeners]) listener(message);
      }
    }
  }
}

/** Resolves after ms milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** The readable text of a CDP RemoteObject (a console argument or a thrown value). */
function remoteText(value: unknown): string {
  const object = (value ?? {}) as { value?: unknown; description?: string; unserializableValue?: string; type?: string };
  if (object.value !== undefined) return typeof object.value === 'string' ? object.value : JSON.stringify(object.value);
  return object.description ?? object.unserializableValue ?? object.type ?? '';
}

/** The text of a Runtime exceptionDetails: the exception's description (with its stack) or the message. */
function exceptionText(details: Record<string, unknown>): string {
  const exception = details.exception as { description?: string } | undefined;
  return exception?.description ?? String(details.text ?? 'exception');
}

/** A file name for a screenshot: the name with anything but letters, digits, dot, dash and underscore replaced. */
function screenshotFile(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'screenshot';
  return join(SCREENSHOT_DIR, `${safe.endsWith('.png') ? safe.slice(0, -4) : safe}.png`);
}

class CdpPage implements Page {
  private readonly seen: string[] = [];
  private readonly stop: () => void;

  constructor(
    private readonly connection: Connection,
    private readonly targetId: string,
    readonly sessionId: string,
  ) {
    this.stop = connection.onEvent((message) => {
      if (message.sessionId !== sessionId || !message.params) return;
      const params = message.params;
      if (message.method === 'Runtime.exceptionThrown') this.seen.push(`exception: ${exceptionText(params.exceptionDetails as Record<string, unknown>)}`);
      else if (message.method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert'))
        this.seen.push(`console.${String(params.type)}: ${(params.args as unknown[]).map(remoteText).join(' ')}`);
      else if (message.method === 'Log.entryAdded') {
        const entry = params.entry as { level: string; source: string; text: string; url?: string };
        if (entry.level === 'error' || entry.source === 'security' || entry.source === 'violation') this.seen.push(`${entry.source} ${entry.level}: ${entry.text}`);
      }
    });
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.connection.send(method, params, this.sessionId);
  }

  async navigate(url: string): Promise<void> {
    const loaded = this.connection.waitEvent((m) => m.sessionId === this.sessionId && m.method === 'Page.loadEventFired', `the load event of ${url}`);
    try {
      const answer = await this.send('Page.navigate', { url });
      if (answer.errorText) throw new Error(`browser: cannot open ${url}: ${String(answer.errorText)}`);
      await loaded.promise;
    } finally {
      loaded.cancel();
    }
  }

  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true, userGesture: false });
    if (answer.exceptionDetails) throw new Error(`browser: evaluating ${JSON.stringify(expression.slice(0, 200))} threw: ${exceptionText(answer.exceptionDetails as Record<string, unknown>)}`);
    return (answer.result as { value?: T }).value as T;
  }

  async waitFor<T>(expression: string, what: string, timeoutMs = this.connection.timeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`browser: ${what} did not happen within ${timeoutMs / 1000} s (${expression} stayed ${JSON.stringify(value)})`);
      await sleep(50);
    }
  }

  async hover(x: number, y: number): Promise<void> {
    await this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none' });
  }

  async hoverSelector(selector: string): Promise<{ x: number; y: number }> {
    const point = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!point) throw new Error(`browser: nothing in the page matches ${selector}`);
    await this.hover(point.x, point.y);
    return point;
  }

  async colorScheme(scheme: 'light' | 'dark'): Promise<void> {
    await this.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
  }

  async screenshot(name: string): Promise<string> {
    const answer = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
    const file = screenshotFile(name);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(file, Buffer.from(String(answer.data), 'base64'));
    return file;
  }

  errors(): string[] {
    return [...this.seen];
  }

  async close(): Promise<void> {
    this.stop();
    await this.connection.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }
}

class ChromiumBrowser implements Browser {
  private exited = false;
  private readonly exit: Promise<void>;
  private readonly killOnExit = () => {
    this.kill();
    rmSync(this.profile, { recursive: true, force: true });
  };

  readonly pid: number;

  constructor(
    private readonly child: ChildProcess,
    private readonly connection: Connection,
    private readonly profile: string,
  ) {
    this.pid = child.pid ?? 0;
    this.exit = new Promise((resolveExit) =>
      child.once('exit', () => {
        this.exited = true;
        connection.fail('the browser exited');
        resolveExit();
      }),
    );
    process.once('exit', this.killOnExit);
  }

  async open(fileUrlOrPath: string, options: OpenOptions = {}): Promise<Page> {
    const url = /^[a-z]+:/i.test(fileUrlOrPath) ? fileUrlOrPath : pathToFileURL(isAbsolute(fileUrlOrPath) ? fileUrlOrPath : resolve(fileUrlOrPath)).href;
    const { targetId } = (await this.connection.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.connection.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new CdpPage(this.connection, targetId, sessionId);
    await Promise.all([
      this.connection.send('Page.enable', {}, sessionId),
      this.connection.send('Runtime.enable', {}, sessionId),
      this.connection.send('Log.enable', {}, sessionId),
      this.connection.send('Emulation.setDeviceMetricsOverride', { width: options.width ?? 1280, height: options.height ?? 900, deviceScaleFactor: 1, mobile: false }, sessionId),
    ]);
    await page.colorScheme(options.colorScheme ?? 'light');
    await page.navigate(url);
    return page;
  }

  async close(): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    if (!this.exited) {
      this.connection.send('Browser.close', {}, undefined, 3_000).catch(() => undefined);
      await Promise.race([this.exit, sleep(3_000)]);
    }
    // Chromium's helpers (zygote, renderers) share its process group: kill what is left of it.
    this.kill();
    await Promise.race([this.exit, sleep(5_000)]);
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 3 });
  }

  /** SIGKILL to the browser's whole process group (it leads its own group); nothing when it is gone. */
  private kill(): void {
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Starts headless Chromium (new headless mode, no sandbox: CI runs as root) with a fresh profile in a temp folder
 * (under the runner's PROFILES_DIR_ENV folder when set);
 * fails with a clear message when the browser is missing or does not answer.
 */
export async function openBrowser(options: { answerTimeoutMs?: number } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install --no-install-recommends chromium) or set ALERTCRON_TEST_CHROMIUM`);
  const profile = mkdtempSync(join(profilesParent(), 'alertcron-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--mute-audio',
      '--hide-scrollbars',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
  );
  // A browser a test forgot to close must not keep the test process alive: nothing of it holds the event loop (a
  // waiting command holds its timer), and the process's exit kills the group; Chromium also quits when its pipe closes.
  child.unref();
  for (const stream of [child.stdio[2], child.stdio[3], child.stdio[4]]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const connection = new Connection(child.stdio[3] as Writable, child.stdio[4] as Readable, options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
  const browser = new ChromiumBrowser(child, connection, profile);
  const started = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`browser: cannot start ${CHROMIUM}: ${error.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`browser: ${CHROMIUM} exited at start (${signal ?? `code ${code}`}): ${stderr.trim().slice(-1500)}`)));
  });
  try {
    await Promise.race([connection.send('Browser.getVersion', {}, undefined, Math.max(START_TIMEOUT_MS, connection.timeoutMs)), started]);
  } catch (error) {
    await browser.close();
    throw error;
  }
  return browser;
}
