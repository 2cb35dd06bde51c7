import { spawnSync } from 'node:child_process';
import { isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../util/packageRoot.js';
import { fileURLToPath } from 'node:url';

/** Where alertcron's own code lives (dist/src and the start-up bundle): its stack frames are never the script's. */
const OWN_CODE = join(packageRoot(), 'dist');

/** Where in the user's files a script's error happened (line and column 1-based), when known. */
export interface ScriptLocation {
  path?: string;
  line?: number;
  col?: number;
}

/** What went wrong in a script, and where when known. */
export interface ScriptFailure extends ScriptLocation {
  message: string;
}

/** A script condition that failed, timed out or ended its sandbox (see scriptSandbox.ts). */
export class ScriptError extends Error {
  constructor(readonly failure: ScriptFailure) {
    super(failure.message);
    this.name = 'ScriptError';
  }
}

/** What a script threw, in one line: `TypeError: x is undefined`, a plain Error's message, `threw "text"` for a non-Error. */
export function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return `threw ${JSON.stringify(error) ?? String(error)}`;
  return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
}

/** The failure of an error the script's own code threw (on import or in match), at its place in the user's files. */
export function failureOf(error: unknown, modulePath: string, prefix = ''): ScriptFailure {
  return { message: `${prefix}${describeThrown(error)}`, ...locateError(error, modulePath) };
}

/**
 * Where an error thrown by a script's code happened: for a syntax error in the module, `node --check`'s line and
 * column (node gives an imported module's syntax error no position; only run on that error); otherwise the first
 * stack frame in the user's files.
 */
export function locateError(error: unknown, modulePath: string): ScriptLocation {
  if (!(error instanceof Error)) return {};
  const syntax = error.name === 'SyntaxError' ? syntaxErrorAt(modulePath) : undefined;
  return syntax ?? firstUserFrame(error.stack ?? '') ?? {};
}

/**
 * A script's failure as one line that starts with the script's `path:line:col` (or `path:line`, or the path alone),
 * the path shown from `baseDir` (the configuration folder) when it is inside it.
 */
export function formatScriptFailure(failure: ScriptFailure, modulePath: string, baseDir: string): string {
  const path = showPath(failure.path ?? modulePath, baseDir);
  const at = failure.line ? `${path}:${failure.line}${failure.col ? `:${failure.col}` : ''}` : path;
  return `${at}: ${failure.message}`;
}

/** A path as seen from `baseDir`, or as it is when it lies outside. */
export function showPath(path: string, baseDir: string): string {
  const rel = relative(baseDir, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function firstUserFrame(stack: string): ScriptLocation | undefined {
  for (const match of stack.matchAll(/\(?(file:\/\/[^\s)]+?|\/[^\s):]+?):(\d+):(\d+)\)?$/gm)) {
    const path = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (!path.startsWith(OWN_CODE + '/') && !path.includes('/node_modules/')) return { path, line: Number(match[2]), col: Number(match[3]) };
  }
  return undefined;
}

/** `node --check` prints a syntax error's `path:line`, the line, and a caret under the place. Undefined when the module parses. */
function syntaxErrorAt(modulePath: string): ScriptLocation | undefined {
  const checked = spawnSync(process.execPath, ['--check', modulePath], { encoding: 'utf8', timeout: 10_000 });
  const match = /^(.+):(\d+)\n(?:[^\n]*\n( *)\^)?/m.exec(checked.stderr ?? '');
  if (!match) return undefined;
  return { path: match[1]!, line: Number(match[2]), ...(match[3] !== undefined ? { col: match[3].length + 1 } : {}) };
}
