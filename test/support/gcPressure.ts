import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './project.js';

/** The environment that makes a spawned CLI collect garbage every 25 ms (see gcPressurePreload.ts). */
export const GC_PRESSURE_ENV: Record<string, string> = {
  NODE_OPTIONS: `--expose-gc --import=${pathToFileURL(join(REPO_ROOT, 'dist', 'test', 'support', 'gcPressurePreload.js')).href}`,
};
