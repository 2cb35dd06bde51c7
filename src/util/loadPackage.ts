import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);
let bundled: ((name: string) => unknown) | undefined;

/**
 * Loads an npm package when it is first needed, with require(): the start-up bundle is compiled from a V8 code
 * cache (bin/alertcron.js), where node 20 cannot run a dynamic import(), and every package loaded this way
 * (yaml, js-yaml, nodemailer, cron-parser, twilio) ships CommonJS. In the bundle, the packages
 * it carries come from its own code-cached copy (see usePackageLoader).
 */
export function loadPackage<T>(name: string): T {
  return (bundled?.(vendorName(name)) ?? requireHere(name)) as T;
}

/** The name a package (or a package's entry, `nodemailer/lib/smtp-connection`) has among the bundle's vendor-<name>.cjs chunks. */
export function vendorName(name: string): string {
  return name.replace(/\//g, '+');
}

/** Makes loadPackage ask this loader first (bin/alertcron.js: the bundled packages); undefined from it means node's require(). */
export function usePackageLoader(loader: (name: string) => unknown): void {
  bundled = loader;
}
