import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Problem } from './problems.js';
import type { Config } from './types.js';
import type { YamlFile } from './yamlDocument.js';

/**
 * Checks, without creating anything, that the state file and the audit log are paths of files: neither is a
 * directory, and each one's folder is a folder or can be made one (whether it is writable is found by writing).
 */
export function checkStatePaths(yaml: YamlFile, config: Config): Problem[] {
  const problems: Problem[] = [];
  const check = (key: 'file' | 'audit_log', path: string, example: string) => {
    const message = fileProblem(path, example);
    if (!message) return;
    const { line, col } = yaml.locate(['state', key]);
    const given = (yaml.value as { state?: Record<string, unknown> } | undefined)?.state?.[key] !== undefined;
    problems.push({ file: yaml.file, line, col, path: `/state/${key}`, message: given ? message : `${message} (this is the default: set state.${key})` });
  };
  check('file', config.state.file, 'state/state.json');
  check('audit_log', config.state.audit_log, 'state/audit.log');
  return problems;
}

function fileProblem(path: string, example: string): string | undefined {
  const stat = statOrUndefined(path);
  if (stat?.isDirectory()) return `${path} is a directory: give the path of a file in it, e.g. ${example}`;
  if (stat && !stat.isFile()) return `${path} is not a regular file: give the path of a file, e.g. ${example}`;
  const folder = dirname(path);
  let existing = folder;
  while (!statOrUndefined(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const found = statOrUndefined(existing);
  if (!found?.isDirectory()) return `cannot create the folder ${folder}: ${existing} is not a folder`;
  // A folder that exists but cannot be written (read-only mount, permissions) is not the file's fault: the write
  // itself fails with its own exit code, the path and the fix (util/writeRefused.ts).
  return undefined;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
