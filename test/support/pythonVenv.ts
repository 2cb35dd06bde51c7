// The Python side shared by the bench, the ElastAlert2 oracle tests and the pySigma oracle tests: one venv under test/bench/.venv
// (git-ignored), built from test/bench/requirements.txt (ElastAlert2 pinned, from PyPI) with every dependency held
// to the versions in test/bench/constraints.txt.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './project.js';

/** The folder of the bench, which holds requirements.txt and the venv. */
export const PYTHON_DIR = join(REPO_ROOT, 'test', 'bench');
/** The requirements the venv is built from. */
export const REQUIREMENTS = join(PYTHON_DIR, 'requirements.txt');
/** The versions every package of the venv is held to (pip freeze of a venv built from REQUIREMENTS). */
export const CONSTRAINTS = join(PYTHON_DIR, 'constraints.txt');
/** The venv's folder. */
export const VENV = join(PYTHON_DIR, '.venv');
/** The venv's interpreter. */
export const VENV_PYTHON = join(VENV, 'bin', 'python');
/** Written last by a complete build: the hash of the requirements it was built from. */
const COMPLETE = join(VENV, '.alertcron-complete');
/** Held while one process builds the venv (a folder: mkdir is atomic); holds the builder's pid. */
const LOCK = `${VENV}.lock`;
/** How long a build may take before a waiting process gives up (a cold build is about a minute). */
const BUILD_TIMEOUT_MS = 15 * 60_000;

/** What the venv holds. */
export interface PythonSide {
  python: string;
  pythonVersion: string;
  elastalert2: string;
  elasticsearchPy: string;
  /** pySigma and its Elasticsearch backend (the Sigma compiler's oracle). */
  pysigma: string;
  pysigmaBackend: string;
}

/** Output of a command (trimmed), or '' when it cannot run or fails. */
function output(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : '';
}

const isPython312 = (python: string) => output(python, ['-c', 'import sys; print(int(sys.version_info >= (3, 12)))']) === '1';

/**
 * The interpreters tried, in order: ALERTCRON_BENCH_PYTHON, python3.12 and python3.13 on PATH, then each 3.12+
 * version pyenv has (its root from `pyenv root` or $PYENV_ROOT, its versions from `pyenv versions --bare` or the
 * versions folder), newest first, then python3.
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [env.ALERTCRON_BENCH_PYTHON ?? '', 'python3.12', 'python3.13'];
  const root = output('pyenv', ['root'], env) || env.PYENV_ROOT || '';
  if (root) {
    const listed = output('pyenv', ['versions', '--bare'], env).split('\n');
    const folder = join(root, 'versions');
    const names = listed.some((v) => v.trim()) ? listed : existsSync(folder) ? readdirSync(folder) : [];
    const versions = names.map((v) => v.trim()).filter((v) => /^3\.(1[2-9]|[2-9]\d)\.\d+$/.test(v));
    versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    for (const v of versions) candidates.push(join(root, 'versions', v, 'bin', 'python3'));
  }
  candidates.push('python3');
  return candidates.filter((c) => c);
}

/** A Python 3.12+ to build the venv with, or an error that says what was tried and how to point at one. */
export function findPython(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = pythonCandidates(env);
  for (const c of candidates) if (isPython312(c)) return c;
  throw new Error(
    `the ElastAlert2 side needs Python 3.12+ (elastalert2 2.31 requires it) and none was found (tried: ${candidates.join(', ')}): ` +
      'install one (e.g. `pyenv install 3.12`) or set ALERTCRON_BENCH_PYTHON to its path',
  );
}

function run(cmd: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    log(`$ ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${tail}`))));
  });
}

const requirementsHash = () => createHash('sha256').update(readFileSync(REQUIREMENTS)).update(readFileSync(CONSTRAINTS)).digest('hex');

/** The ElastAlert2 version a requirements (or constraints) text pins with `elastalert2==X`, or undefined. */
export function pinnedElastalert(text: string): string | undefined {
  return /^elastalert2==(\S+)\s*$/im.exec(text)?.[1];
}

/** Throws unless the venv holds the ElastAlert2 version requirements.txt pins: an oracle run against another version proves nothing. */
export function assertPinned(side: Pick<PythonSide, 'elastalert2'>, requirements = readFileSync(REQUIREMENTS, 'utf8')): void {
  const pinned = pinnedElastalert(requirements);
  if (!pinned) throw new Error(`${REQUIREMENTS} pins no elastalert2 version (elastalert2==X)`);
  if (side.elastalert2 !== pinned) {
    throw new Error(`the venv ${VENV} holds elastalert2 ${side.elastalert2 || '(none)'}, but ${REQUIREMENTS} pins ${pinned}: remove the venv to have it rebuilt`);
  }
}
const isComplete = () => existsSync(COMPLETE) && readFileSync(COMPLETE, 'utf8') === requirementsHash();

/** Whether a lock folder's builder is gone (its pid no longer runs) or it is older than a build can take. */
function lockIsStale(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    if (Date.now() - statSync(LOCK).mtimeMs > BUILD_TIMEOUT_MS) return true;
    if (!pid) return Date.now() - statSync(LOCK).mtimeMs > 10_000;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' || (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Takes the build lock, waiting while another live process holds it; false when the venv was completed meanwhile. */
async function takeLock(log: (line: string) => void): Promise<boolean> {
  let told = false;
  for (const until = Date.now() + BUILD_TIMEOUT_MS; ; ) {
    if (isComplete()) return false;
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsStale()) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (!told) log(`waiting for another process to build ${VENV}`);
    told = true;
    if (Date.now() > until) throw new Error(`${VENV} was being built by another process for more than ${BUILD_TIMEOUT_MS / 60_000} minutes: remove ${LOCK} if no build runs`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Builds the venv unless a complete one for the current requirements.txt and constraints.txt is there: one process
 * builds (a lock folder beside it), the others wait for it. A failed build leaves no half venv behind and throws an
 * error that says what is missing; a venv whose ElastAlert2 is not the pinned version throws too.
 */
export async function ensureVenv(log: (line: string) => void = () => undefined): Promise<PythonSide> {
  if (!isComplete() && (await takeLock(log))) {
    try {
      if (!isComplete()) {
        rmSync(VENV, { recursive: true, force: true });
        const python = findPython();
        await run(python, ['-m', 'venv', VENV], log);
        await run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS, '-c', CONSTRAINTS], log);
        writeFileSync(COMPLETE, requirementsHash());
      }
    } catch (error) {
      rmSync(VENV, { recursive: true, force: true });
      throw new Error(`cannot build the ElastAlert2 venv ${VENV} from ${REQUIREMENTS}: ${(error as Error).message}`);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  const version = (pkg: string) => output(VENV_PYTHON, ['-c', `import importlib.metadata as m; print(m.version("${pkg}"))`]);
  const side: PythonSide = {
    python: VENV_PYTHON,
    pythonVersion: output(VENV_PYTHON, ['-c', 'import platform; print(platform.python_version())']),
    elastalert2: version('elastalert2'),
    elasticsearchPy: version('elasticsearch'),
    pysigma: version('pySigma'),
    pysigmaBackend: version('pySigma-backend-elasticsearch'),
  };
  assertPinned(side);
  return side;
}
