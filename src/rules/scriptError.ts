import { spawnSync } from 'node:child_process';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where alertcron's own code lives: its stack frames are never the script's. */
const OWN_CODE = resolve(fileURLToPath(new URL('../', import.meta.url)));

/**
 * Rewrites an error thrown while loading or running a script condition into one that starts with the script's
 * `path:line:col` (the first stack frame in the user's files), or `path:line` for a syntax error.
 */
export function scriptError(error: unknown, modulePath: string, baseDir: string): Error {
  const show = (path: string) => {
    const rel = relative(baseDir, path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
  if (!(error instanceof Error)) return new Error(`${show(modulePath)}: threw ${JSON.stringify(error) ?? String(error)}`);
  const where: { path: string; line: number; col?: number } | undefined = error instanceof SyntaxError ? syntaxErrorLine(modulePath) : firstUserFrame(error.stack ?? '');
  const at = where ? `${show(where.path)}:${where.line}${where.col ? `:${where.col}` : ''}` : show(modulePath);
  return new Error(`${at}: ${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`, { cause: error });
}

function firstUserFrame(stack: string): { path: string; line: number; col: number } | undefined {
  for (const match of stack.matchAll(/\(?(file:\/\/[^\s)]+?|\/[^\s):]+?):(\d+):(\d+)\)?$/gm)) {
    const path = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (!path.startsWith(OWN_CODE + '/') && !path.includes('/node_modules/')) return { path, line: Number(match[2]), col: Number(match[3]) };
  }
  return undefined;
}

/** Node gives no position for a syntax error in an imported module: `node --check` prints it (only run on that error). */
function syntaxErrorLine(modulePath: string): { path: string; line: number } | undefined {
  const checked = spawnSync(process.execPath, ['--check', modulePath], { encoding: 'utf8', timeout: 10_000 });
  const match = /^(.+):(\d+)$/m.exec(checked.stderr ?? '');
  return match ? { path: match[1]!, line: Number(match[2]) } : undefined;
}
