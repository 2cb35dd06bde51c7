import { sigmaAttribution } from '../sigma/meta.js';

/** A notice's message with the DRL 1.1 attribution line of a Sigma alert added (digests, resolved notices); other alerts' as it is. */
export function withAttribution(message: string, sigma: Readonly<Record<string, string>> | undefined): string {
  return sigma ? `${message}\n\n${sigmaAttribution(sigma)}` : message;
}
