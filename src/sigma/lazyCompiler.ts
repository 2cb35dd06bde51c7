import type { compileSigmaAlert } from './compile.js';

let compiler: typeof compileSigmaAlert | undefined;

/**
 * Loads the Sigma compiler (parser, pipelines and their data, outputs, correlations) when an alert file has a
 * `sigma:` key and is not taken from the parse cache: a run without one never evaluates it (start-up runs every minute).
 */
export async function loadSigmaCompiler(): Promise<void> {
  compiler ??= (await import('./compile.js')).compileSigmaAlert;
}

/** The compiler loadSigmaCompiler loaded (the alert loader loads it before checking an alert with `sigma:`). */
export function sigmaCompiler(): typeof compileSigmaAlert {
  if (!compiler) throw new Error('the Sigma compiler is used before loadSigmaCompiler() loaded it');
  return compiler;
}
