// pySigma applying pipelines to rules given as text (test/sigma/pipeline_oracle.py), many cases in one process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './project.js';
import { ensureVenv } from './pythonVenv.js';

/** One case: a rule's YAML and the pipelines, shipped names (resolved by priority) then pipeline YAML texts. */
export interface PipelineCase {
  rule: string;
  pipelines: (string | { yaml: string })[];
}

/** pySigma's answer for a case: the tree, the rule's fields and log source after the pipeline, or its error. */
export interface PipelineAnswer {
  tree?: unknown;
  fields?: string[];
  logsource?: Record<string, string>;
  error?: string;
}

const SCRIPT = join(REPO_ROOT, 'test', 'sigma', 'pipeline_oracle.py');

/** Runs pySigma's pipelines over the cases in one process. */
export async function runPipelineOracle(cases: PipelineCase[]): Promise<PipelineAnswer[]> {
  const side = await ensureVenv();
  return new Promise((resolve, reject) => {
    const child = spawn(side.python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pipeline oracle failed (${code}): ${err}`));
      resolve(JSON.parse(out) as PipelineAnswer[]);
    });
    child.stdin.end(JSON.stringify(cases));
  });
}
