import type { SigmaPipeline } from '../../src/sigma/pipeline/types.js';

/** The field mappings the correlation tests use (SeveralPlaces maps to two fields). TEMP: d3's stand-in pipeline shape. */
export function testPipeline(): SigmaPipeline {
  return { fields: { User: 'user.name', Image: 'process.executable', Computer: 'host.name', ComputerName: 'host.name', Workstation: 'workstation.name', SeveralPlaces: 'a.one|b.two' } };
}
