// A Sigma file (one or more YAML documents: detection rules and correlation rules) read into SigmaDocuments; a
// document that cannot be used gives problems with its line:col and no document, and the others still parse.
import { oneLine } from '../../util/text.js';
import { SigmaRefused } from '../refused.js';
import type { ParsedSigmaFile, SigmaDocument, SigmaNode, SigmaProblem, SigmaRule } from '../types.js';
import { conditionTree } from './condition.js';
import { readCorrelation } from './correlation.js';
import { detectionTree } from './detection.js';
import { readMeta } from './meta.js';
import { SigmaRuleError } from './ruleError.js';
import { yamlDocuments, type YamlDocument } from './yamlDocuments.js';

export { sigmaValueText } from './sigmaString.js';

/** The longest problem message (the rule's text quoted in it is cut to fit). */
const MAX_MESSAGE = 1000;

/** Parses the text of a Sigma file into its rules and correlations, in file order, and the problems of the others. */
export function parseSigma(text: string): ParsedSigmaFile {
  const documents: SigmaDocument[] = [];
  const problems: SigmaProblem[] = [];
  for (const doc of yamlDocuments(text)) {
    if (doc.problems.length) {
      problems.push(...doc.problems.map((p) => ({ ...p, path: [], message: oneLine(p.message, MAX_MESSAGE) })));
      continue;
    }
    if (doc.value === null || doc.value === undefined) continue; // an empty document (e.g. after a trailing ---)
    try {
      documents.push(readDocument(doc));
    } catch (error) {
      if (!(error instanceof SigmaRuleError || error instanceof SigmaRefused)) throw error;
      const [atKey, offset] = error instanceof SigmaRuleError ? [error.atKey, error.offset] : [false, undefined];
      // Messages quote the rule's own text (names, values, conditions): one clean line, whatever the file holds.
      problems.push({ ...doc.locate(error.path, atKey, offset), path: error.path, message: oneLine(error.message, MAX_MESSAGE) });
    }
  }
  return { documents, problems };
}

function readDocument(doc: YamlDocument): SigmaDocument {
  const value = doc.value;
  if (!isMap(value)) throw new SigmaRuleError('a Sigma document must be a map with title, logsource and detection (or correlation)');
  if ('action' in value) throw new SigmaRuleError("Sigma 1 rule collections (`action: global/reset/repeat`) are not supported: write each rule as a whole document", ['action']);
  if ('correlation' in value) return readCorrelation(value, doc.line);
  if ('filter' in value && !('detection' in value)) throw new SigmaRuleError('Sigma filter documents (`filter:`) are not supported: add the exclusion to the rule\'s own detection and condition', ['filter']);
  return readRule(value, doc.line);
}

function readRule(doc: Record<string, unknown>, line: number): SigmaRule {
  const meta = readMeta(doc);
  const logsource = doc.logsource;
  if (!isMap(logsource)) throw new SigmaRuleError('a Sigma rule needs `logsource:` (a map of category, product and/or service)', logsource === undefined ? [] : ['logsource']);
  const source: SigmaRule['logsource'] = {};
  for (const key of ['category', 'product', 'service'] as const) {
    const value = logsource[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new SigmaRuleError(`\`logsource.${key}\` must be a string`, ['logsource', key]);
    source[key] = value;
  }
  const detection = doc.detection;
  if (!isMap(detection)) throw new SigmaRuleError('a Sigma rule needs `detection:` (named detections and a condition)', detection === undefined ? [] : ['detection']);
  const detections = new Map<string, SigmaNode | SigmaRefused>();
  for (const [name, definition] of Object.entries(detection)) {
    if (name === 'condition') continue;
    try {
      detections.set(name, detectionTree(definition, ['detection', name]));
    } catch (error) {
      if (!(error instanceof SigmaRefused)) throw error;
      detections.set(name, error);
    }
  }
  if (!detections.size) throw new SigmaRuleError('`detection:` defines no detection: name at least one (e.g. selection: {Field: value})', ['detection']);
  const written = detection.condition;
  if (written === undefined || written === null || (Array.isArray(written) && !written.length)) throw new SigmaRuleError('`detection:` needs a `condition:` (e.g. selection and not filter)', ['detection']);
  const used = new Set<SigmaNode>();
  const conditions = Array.isArray(written)
    ? written.map((one, i) => conditionTree(one, detections, ['detection', 'condition', i], used))
    : [conditionTree(written, detections, ['detection', 'condition'], used)];
  const fields = doc.fields;
  if (fields !== undefined && fields !== null && (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string'))) throw new SigmaRuleError('`fields:` must be a list of field names', ['fields']);
  return {
    kind: 'rule',
    meta,
    logsource: source,
    condition: conditions.length === 1 ? conditions[0]! : { type: 'or', items: conditions },
    fields: (fields as string[] | undefined) ?? [],
    line,
  };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
