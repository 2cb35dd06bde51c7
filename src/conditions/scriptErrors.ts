import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Where in a script file an error happened (1-based). */
export interface ScriptLocation {
  line?: number;
  col?: number;
}

/** One line naming an error: `TypeError: x is undefined`. */
export function describeError(error: unknown): string {
  const text = error instanceof Error || (error && typeof error === 'object' && 'message' in error)
    ? `${(error as Error).name ?? 'Error'}: ${(error as Error).message}`
    : String(error);
  return text.split('\n')[0]!;
}

/**
 * Finds the line (and column) of a script's error from its stack: the first frame in the script file, or the
 * `file:line` header node puts on syntax errors. Node gives an ES module's syntax error no location, so then
 * `node --check` is asked for it (a child process, only on that error path).
 */
export async function locateError(error: unknown, modulePath: string): Promise<ScriptLocation> {
  const stack = error && typeof error === 'object' ? String((error as Error).stack ?? '') : '';
  const found = locateInStack(stack, modulePath);
  if (found.line || (error as Error | undefined)?.name !== 'SyntaxError') return found;
  return locateInStack(await checkSyntax(modulePath), modulePath);
}

function locateInStack(stack: string, modulePath: string): ScriptLocation {
  const url = escapeRegExp(pathToFileURL(modulePath).href);
  const frame = new RegExp(`(?:${url}|${escapeRegExp(modulePath)}):(\\d+):(\\d+)`).exec(stack);
  if (frame) return { line: Number(frame[1]), col: Number(frame[2]) };
  // A syntax error starts with "<path>:<line>", the offending source line and a caret under the place.
  const header = new RegExp(`^(?:${url}|${escapeRegExp(modulePath)}):(\\d+)\\n[^\\n]*\\n( *)\\^`).exec(stack);
  if (header) return { line: Number(header[1]), col: header[2]!.length + 1 };
  return {};
}

function checkSyntax(modulePath: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', modulePath], { timeout: 5000, env: {} }, (_error, _stdout, stderr) => resolve(String(stderr)));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
