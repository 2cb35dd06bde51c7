// STAND-IN (d4, temporary): replaced by d3's pipeline types.
/** Stand-in pipeline: a field map. */
export interface SigmaPipeline { fields: Record<string, string> }
