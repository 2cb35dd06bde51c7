import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The folder of alertcron's own package.json, found from this module upwards: the same answer whether the code
 * runs from dist/src (tests) or from the start-up bundle in dist/bundle, in the repository or an installed package.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'alertcron') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find alertcron\'s package.json above its code');
    dir = up;
  }
}

/** The path of a file of the built code: in the start-up bundle when there is one, else in dist/src. */
export function builtFile(relative: string): string {
  const bundled = join(packageRoot(), 'dist', 'bundle', relative);
  return existsSync(bundled) ? bundled : join(packageRoot(), 'dist', 'src', relative);
}
