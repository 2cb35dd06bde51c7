import { SIGMA_ATTRIBUTION } from '../sigma/meta.js';

/** A message without the DRL 1.1 attribution line of a Sigma rule, and that line (if any): channels that cut text keep it whole. */
export function splitAttribution(message: string): { rest: string; attribution?: string } {
  const found = SIGMA_ATTRIBUTION.exec(message);
  if (!found) return { rest: message };
  return { rest: `${message.slice(0, found.index)}${message.slice(found.index + found[0].length)}`, attribution: found[0] };
}
