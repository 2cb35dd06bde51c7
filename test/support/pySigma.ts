// pySigma (sigma-cli's library and its Elasticsearch backend, pinned in test/bench/requirements.txt) as an oracle:
// one Python process converts a list of Sigma files (test/sigma/pysigma_oracle.py).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './project.js';
import { ensureVenv } from './pythonVenv.js';

/** What pySigma made of one rule of a file: its Lucene queries (or DSL-wrapped ones), its condition tree, or its error. */
export interface PySigmaEntry {
  id: string | null;
  title?: string;
  queries?: unknown[];
  tree?: unknown;
  error?: string;
}

/** What to ask pySigma: the files, the pipelines in order (shipped names or pipeline files) and what to return. */
export interface PySigmaRequest {
  files: string[];
  pipelines?: string[];
  mode?: 'lucene' | 'dsl_lucene' | 'tree';
}

const SCRIPT = join(REPO_ROOT, 'test', 'sigma', 'pysigma_oracle.py');

/** Runs pySigma over the files in one process; resolves to each file's rules' answers (by the path as given). */
export async function runPySigma(request: PySigmaRequest): Promise<Record<string, PySigmaEntry[]>> {
  return runOracleScript(SCRIPT, request);
}

/** Runs one of the oracle scripts in the venv with a JSON request on stdin; resolves to the JSON it writes. */
export async function runOracleScript<T>(script: string, request: unknown): Promise<T> {
  const side = await ensureVenv();
  return new Promise((resolve, reject) => {
    const child = spawn(side.python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pySigma oracle failed (${code}): ${err}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch (error) {
        reject(new Error(`pySigma oracle wrote no JSON: ${(error as Error).message}; stderr: ${err}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
