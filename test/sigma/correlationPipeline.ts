import { join } from 'node:path';
import { loadPipeline } from '../../src/sigma/pipeline/loadPipeline.js';
import type { SigmaPipeline } from '../../src/sigma/pipeline/types.js';
import { REPO_ROOT } from '../support/project.js';

/** The folder of the correlation fixtures. */
export const CORRELATION_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'correlation');

/** The field mappings the correlation tests use (fixtures/sigma/correlation/pipeline.yml; SeveralPlaces maps to two fields). */
export function testPipeline(): SigmaPipeline {
  const loaded = loadPipeline('pipeline.yml', CORRELATION_FIXTURES);
  if ('problems' in loaded) throw new Error(`test pipeline: ${JSON.stringify(loaded.problems)}`);
  return loaded.pipeline;
}
