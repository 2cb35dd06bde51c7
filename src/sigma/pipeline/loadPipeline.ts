// STAND-IN (d4, temporary): replaced by d3's loader.
import { resolve } from 'node:path';
import type { SigmaPipeline } from './types.js';

/** Stand-in loader: none and ecs_windows only. */
export function loadPipeline(specs: string | string[], baseDir: string): { pipeline: SigmaPipeline; inputs: string[] } | { problems: { file: string; line?: number; col?: number; message: string }[] } {
  const list = Array.isArray(specs) ? specs : [specs];
  const fields: Record<string, string> = {};
  for (const s of list) {
    if (s === 'ecs_windows') Object.assign(fields, { Image: 'process.executable', CommandLine: 'process.command_line', User: 'user.name' });
    else if (s !== 'none') return { problems: [{ file: resolve(baseDir, s), message: `unknown pipeline "${s}" (shipped: ecs_windows, none)` }] };
  }
  return { pipeline: { fields }, inputs: [] };
}
