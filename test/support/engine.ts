// A real search engine for the tests: a single OpenSearch 2.19 node started from the
// jars on Maven Central (test/engine), an engine already listening on the port, or an
// external cluster named by ALERTCRON_TEST_ES_URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for startEngine: HTTP port of the local engine and a sink for its log lines. */
export interface StartEngineOptions {
  port?: number;
  log?: (line: string) => void;
}

/** A running engine: its base URL, how to stop it, and whether it was already there. */
export interface EngineHandle {
  url: string;
  stop: () => Promise<void>;
  external: boolean;
}

const START_TIMEOUT_MS = 120_000;
const BUILD_TIMEOUT_MS = 15 * 60_000;
const STOP_GRACE_MS = 20_000;
const TAIL_LINES = 60;

/** Starts (or finds) a search engine for the tests and resolves once it is at least yellow. */
export async function startEngine(opts: StartEngineOptions = {}): Promise<EngineHandle> {
  const log = opts.log ?? (() => {});
  const noop = async (): Promise<void> => {};

  const externalUrl = process.env.ALERTCRON_TEST_ES_URL;
  if (externalUrl) {
    const url = externalUrl.replace(/\/+$/, '');
    await waitForHealth(url, 30_000);
    log(`engine: using external cluster ${redact(url)}`);
    return { url, stop: noop, external: true };
  }

  const port = opts.port ?? portFromEnv() ?? 9250;
  const url = `http://127.0.0.1:${port}`;
  if (await answers(url)) {
    await waitForHealth(url, START_TIMEOUT_MS);
    log(`engine: reusing the engine already on ${url}`);
    return { url, stop: noop, external: true };
  }

  const root = repoRoot();
  const engineDir = path.join(root, 'test', 'engine');
  await run('bash', [path.join(engineDir, 'build.sh')], root, BUILD_TIMEOUT_MS, log);
  const classpath = (await readFile(path.join(engineDir, 'target', 'classpath.txt'), 'utf8')).trim();

  const dataDir = await mkdtemp(path.join(tmpdir(), 'alertcron-engine-'));
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  const java = process.env.ALERTCRON_TEST_JAVA || 'java';
  const child = spawn(
    java,
    [
      '-Xms512m',
      '-Xmx1g',
      '-Djava.awt.headless=true',
      '-Dfile.encoding=UTF-8',
      '-Dlog4j2.disable.jmx=true',
      `-Dengine.port=${port}`,
      `-Dengine.transport=${port + 100}-${port + 199}`,
      `-Dengine.dir=${dataDir}`,
      `-Dengine.parentPid=${process.pid}`,
      'alertcron.engine.Main',
    ],
    {
      cwd: engineDir,
      // CLASSPATH rather than -cp: keeps the ~95-jar list out of `ps` output.
      env: { ...process.env, CLASSPATH: `${path.join(engineDir, 'target', 'classes')}${path.delimiter}${classpath}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

  const stdoutTail: string[] = [];
  const stderrTail: string[] = [];
  let sawReady = false;
  let onReady: (() => void) | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  forEachLine(child.stdout, (line) => {
    if (line.startsWith('READY ')) {
      sawReady = true;
      onReady?.();
    }
    remember(stdoutTail, line);
    log(line);
  });
  forEachLine(child.stderr, (line) => {
    remember(stderrTail, line);
    log(line);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child, exited);
      await removeDataDir();
    })();
    return stopping;
  };

  const started = Date.now();
  // Only the READY line counts: a health check could be answered by another process's
  // engine that won a race for the same port.
  const outcome = await new Promise<'ready' | 'timeout' | { exited: string }>((resolve) => {
    const timer = setTimeout(() => finish('timeout'), START_TIMEOUT_MS);
    const finish = (value: 'ready' | 'timeout' | { exited: string }) => {
      clearTimeout(timer);
      onReady = undefined;
      resolve(value);
    };
    onReady = () => finish('ready');
    if (sawReady) finish('ready');
    void exited.then(({ code, signal }) => finish({ exited: `exit code ${code}, signal ${signal}` }));
    void spawnError.then((err) => finish({ exited: `could not run ${java}: ${err.message}` }));
  });

  if (outcome === 'ready') {
    try {
      await waitForHealth(url, Math.max(5_000, START_TIMEOUT_MS - (Date.now() - started)));
    } catch (err) {
      await stop();
      throw err;
    }
    log(`engine: ready on ${url} after ${Date.now() - started} ms`);
    // Do not let the engine keep the test process alive; the engine exits with it.
    child.unref();
    unrefStream(child.stdout);
    unrefStream(child.stderr);
    return { url, stop, external: false };
  }

  await stop();
  if (typeof outcome === 'object' && (await answers(url))) {
    // Another process started an engine on this port at the same time: use that one.
    await waitForHealth(url, START_TIMEOUT_MS);
    log(`engine: lost the start race, reusing the engine on ${url}`);
    return { url, stop: noop, external: true };
  }
  const why = outcome === 'timeout' ? `not ready within ${START_TIMEOUT_MS / 1000} s` : `exited early (${outcome.exited})`;
  const tail = stderrTail.length > 0 ? stderrTail : stdoutTail;
  throw new Error(`search engine on port ${port} ${why}:\n${tail.join('\n')}`);
}

/** Resolves once GET <url>/_cluster/health reports at least yellow, or rejects after timeoutMs. */
export async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Error(`search engine at ${redact(url)} not healthy within ${timeoutMs} ms: ${last}`);
    }
    try {
      const res = await get(url, '/_cluster/health?wait_for_status=yellow&timeout=5s', Math.min(remaining, 10_000));
      const body = await res.text();
      if (res.ok) {
        const status = (JSON.parse(body) as { status?: string }).status;
        if (status === 'green' || status === 'yellow') return;
        last = `status ${status}`;
      } else {
        last = `HTTP ${res.status}: ${body.slice(0, 300)}`;
      }
    } catch (err) {
      last = err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err);
    }
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
}

function portFromEnv(): number | undefined {
  const raw = process.env.ALERTCRON_TEST_ENGINE_PORT;
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`ALERTCRON_TEST_ENGINE_PORT is not a port: ${raw}`);
  }
  return port;
}

/** fetch() refuses URLs with credentials: move them into an Authorization header. */
function get(base: string, pathAndQuery: string, timeoutMs: number): Promise<Response> {
  const u = new URL(base.replace(/\/+$/, '') + pathAndQuery);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return fetch(u, { headers, signal: AbortSignal.timeout(timeoutMs) });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await get(url, '/', 2_000);
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

/** The directory holding package.json with name "alertcron", from this file upwards. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'alertcron') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the alertcron repository root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onLine = (line: string) => {
      remember(tail, line);
      log(line);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${cmd}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}):\n${tail.join('\n')}`));
    });
  });
}

async function terminate(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await settlesWithin(exited, 5_000);
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl).replace(/\r$/, ''));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
    buf = '';
  });
}

function remember(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}

function unrefStream(stream: unknown): void {
  const s = stream as { unref?: () => void } | null;
  s?.unref?.();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
