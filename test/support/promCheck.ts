// Two independent readers of the Prometheus text format for the metrics tests: promtool (Debian's prometheus
// package: the Go parser Prometheus and node_exporter use, plus its linter) and the oracle venv's prometheus_client
// parser (Python, laxer: it proves values and labels round-trip, not that the text meets the format).
import { spawn, spawnSync } from 'node:child_process';
import { inCi } from './ci.js';
import { ensureVenv } from './pythonVenv.js';

/** One family as prometheus_client's parser read it. */
export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number; timestamp: number | null }[];
}

/** What a command printed and how it exited. */
export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with `input` on its stdin. */
export function runTool(command: string, args: string[], input: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * Whether promtool can be run; absent, a test skips with this reason outside CI, and fails in CI (`.ci/run` installs
 * promtool alone, extracted from Debian's prometheus package; see docs/development.md).
 */
export function promtoolMissing(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
  if (found) return undefined;
  if (inCi()) throw new Error('promtool is not installed (Debian package prometheus): CI must have it');
  return 'promtool is not installed (put the binary from Debian\'s prometheus package on PATH, as .ci/run does: see docs/development.md); the checks by promtool are skipped outside CI';
}

/** `promtool check metrics` over a text (parse and lint); exit code 0 and no output when clean. */
export function promtoolCheckMetrics(text: string): Promise<ToolResult> {
  return runTool('promtool', ['check', 'metrics'], text);
}

const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
def num(v):
    return None if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v
out = [{'name': f.name, 'type': f.type, 'help': f.documentation,
        'samples': [{'name': s.name, 'labels': s.labels, 'value': num(s.value), 'timestamp': s.timestamp} for s in f.samples]}
       for f in text_string_to_metric_families(sys.stdin.read())]
sys.stdout.write(json.dumps(out))
`;

let venv: ReturnType<typeof ensureVenv> | undefined;

/** The families prometheus_client's text parser reads from a text (it throws on what it cannot parse). */
export async function parseWithPrometheusClient(text: string): Promise<ParsedFamily[]> {
  // The venv is looked at once per process (ensureVenv asks its python for six versions).
  venv ??= ensureVenv();
  const { python } = await venv;
  const result = await runTool(python, ['-c', PARSE], text);
  if (result.code !== 0) throw new Error(`prometheus_client could not parse the text: ${result.stderr.trim().split('\n').pop()}`);
  return JSON.parse(result.stdout) as ParsedFamily[];
}

/** The value of the one sample of `name` whose labels are exactly `labels`, or undefined when there is none. */
export function sampleValue(families: readonly ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const family of families) {
    for (const sample of family.samples) {
      if (sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === want) return sample.value;
    }
  }
  return undefined;
}
