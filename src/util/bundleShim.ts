// Injected by esbuild into the CommonJS start-up bundle only (package.json, "bundle"): there `import.meta.url`
// becomes this, the bundle's own file URL, so that code locating the package works in both builds.
import { pathToFileURL } from 'node:url';

declare const __filename: string;

/** The start-up bundle's own file URL, standing in for `import.meta.url` inside it. */
export const bundleModuleUrl = pathToFileURL(__filename).href;
