// The Python side of the bench: a venv under test/bench/.venv (git-ignored) with ElastAlert2 from PyPI.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, capture } from './run.js';

export const VENV = join(BENCH_DIR, '.venv');
export const VENV_PYTHON = join(VENV, 'bin', 'python');

export interface PythonSide {
  python: string;
  pythonVersion: string;
  elastalert2: string;
  elasticsearchPy: string;
}

function versionOk(python: string): boolean {
  return capture(python, ['-c', 'import sys; print(int(sys.version_info >= (3, 12)))']) === '1';
}

/** A Python 3.12+ to build the venv with: ALERTCRON_BENCH_PYTHON, python3.12/3.13 on PATH, pyenv's, or python3. */
function findPython(): string {
  const candidates = [process.env.ALERTCRON_BENCH_PYTHON ?? '', 'python3.12', 'python3.13'];
  const pyenv = '/root/.pyenv/versions';
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv).sort().reverse()) {
      if (/^3\.(1[2-9])\./.test(v)) candidates.push(join(pyenv, v, 'bin', 'python3'));
    }
  }
  candidates.push('python3');
  for (const c of candidates) if (c && versionOk(c)) return c;
  throw new Error('the ElastAlert2 side needs Python 3.12+ (latest elastalert2 requires it): set ALERTCRON_BENCH_PYTHON');
}

function run(cmd: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    log(`$ ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${tail}`))));
  });
}

const installed = (python: string) => capture(python, ['-c', 'import importlib.metadata as m; print(m.version("elastalert2"))']);

/** Creates the venv and installs requirements.txt into it unless the pinned ElastAlert2 is already there. */
export async function ensureVenv(log: (line: string) => void): Promise<PythonSide> {
  const wanted = /elastalert2==([^\s]+)/.exec(readFileSync(join(BENCH_DIR, 'requirements.txt'), 'utf8'))?.[1];
  if (!existsSync(VENV_PYTHON) || installed(VENV_PYTHON) !== wanted) {
    if (!existsSync(VENV_PYTHON)) await run(findPython(), ['-m', 'venv', VENV], log);
    await run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', join(BENCH_DIR, 'requirements.txt')], log);
  }
  return {
    python: VENV_PYTHON,
    pythonVersion: capture(VENV_PYTHON, ['-c', 'import platform; print(platform.python_version())']),
    elastalert2: installed(VENV_PYTHON),
    elasticsearchPy: capture(VENV_PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("elasticsearch"))']),
  };
}
