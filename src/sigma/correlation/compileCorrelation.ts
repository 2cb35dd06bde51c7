// STAND-IN (d4, temporary): replaced by d5's compileCorrelation.
import { SigmaRefused } from '../refused.js';
import type { CompiledSigma, SigmaCorrelation, SigmaDocument, SigmaOutput } from '../types.js';
import type { SigmaPipeline } from '../pipeline/types.js';

/** Stand-in. */
export function compileCorrelation(_c: SigmaCorrelation, _l: (idOrName: string) => SigmaDocument | undefined, _p: SigmaPipeline, _o: SigmaOutput): Omit<CompiledSigma, 'meta' | 'inputs'> {
  throw new SigmaRefused('correlation rules need d5');
}
