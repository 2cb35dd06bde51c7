import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * Loads an npm package when it is first needed, with require(): the start-up bundle is compiled from a V8 code
 * cache (bin/alertcron.js), where node 20 cannot run a dynamic import(), and every package loaded this way
 * (yaml, nodemailer, twilio, @slack/webhook) ships CommonJS.
 */
export function loadPackage<T>(name: string): T {
  return requireHere(name) as T;
}
