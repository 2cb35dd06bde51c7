// Resolves `sigma.pipeline` (shipped profile names and pipeline files) into one pipeline, merged by priority as
// pySigma's resolver merges them; a file's problems point at its line and column.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { closestWord } from '../../util/closestWord.js';
import { errorMessage } from '../../util/errors.js';
import { loadPackage } from '../../util/loadPackage.js';
import { SHIPPED_IP_FIELDS, SHIPPED_PIPELINES } from '../pipelines/index.js';
import { readPipeline, type DefinitionProblem, type ReadPipeline } from './readPipeline.js';
import type { PipelineDefinition, SigmaPipeline } from './types.js';

/** A problem with a pipeline: the file (or the name given), and where in it when known. */
export interface PipelineProblem {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

// One read per shipped definition, so that a definition two profiles share (sysmon) is one identity.
const shippedCache = new Map<PipelineDefinition, ReadPipeline>();

/** Loads and merges pipelines (shipped names or files relative to baseDir); `inputs` are the files read (absolute). */
export function loadPipeline(specs: string | string[], baseDir: string): { pipeline: SigmaPipeline; inputs: string[] } | { problems: PipelineProblem[] } {
  const problems: PipelineProblem[] = [];
  const inputs: string[] = [];
  // Each part with pySigma's sort key (a file's name without its folder, so that alertcron's own rewriting of a path,
  // made absolute in defaults or relative by import, cannot change the order; the pySigma name of a shipped part) and
  // its identity (the absolute path of a file, the shipped definition itself).
  const parts: { part: ReadPipeline; key: string; identity: unknown }[] = [];
  const shippedIpFields: string[] = [];
  for (const spec of ([] as string[]).concat(specs)) {
    if (typeof spec !== 'string' || !spec) {
      problems.push({ file: String(spec), message: `a pipeline is a shipped name (${Object.keys(SHIPPED_PIPELINES).join(', ')}) or a pipeline file` });
    } else if (isFileSpec(spec)) {
      const file = resolve(baseDir, spec);
      inputs.push(file);
      const read = readPipelineFile(file);
      if ('problems' in read) problems.push(...read.problems);
      else parts.push({ part: read, key: basename(spec), identity: file });
    } else {
      const shipped = shippedPipeline(spec);
      if (shipped) {
        parts.push(...shipped.map((part) => ({ part, key: part.name, identity: part })));
        shippedIpFields.push(...(Object.hasOwn(SHIPPED_IP_FIELDS, spec) ? SHIPPED_IP_FIELDS[spec]! : []));
      }
      else {
        const close = closestWord(spec, Object.keys(SHIPPED_PIPELINES));
        problems.push({
          file: spec,
          message: `is not a shipped pipeline${close ? ` (did you mean ${close}?)` : ''}: shipped are ${Object.keys(SHIPPED_PIPELINES).join(', ')}; a pipeline file needs a .yml or .yaml name`,
        });
      }
    }
  }
  if (problems.length) return { problems };
  // As pySigma's resolver: sorted by (priority, spec) with the spec (a file's name) compared by code point; the same file or shipped
  // definition named twice runs once (two files of one name are two pipelines).
  const seen = new Set<unknown>();
  const merged = parts
    .sort((a, b) => a.part.priority - b.part.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter(({ identity }) => !seen.has(identity) && seen.add(identity))
    .map(({ part }) => part);
  const ipFields = [...new Set([...shippedIpFields, ...merged.flatMap((p) => p.ipFields)])];
  return { pipeline: { names: merged.map((p) => p.name), items: merged.flatMap((p) => p.items), ipFields }, inputs };
}

function isFileSpec(spec: string): boolean {
  return /\.ya?ml$/i.test(spec) || spec.includes('/') || spec.includes('\\');
}

function shippedPipeline(name: string): ReadPipeline[] | undefined {
  if (!Object.hasOwn(SHIPPED_PIPELINES, name)) return undefined;
  return SHIPPED_PIPELINES[name]!.map((definition) => {
    let read = shippedCache.get(definition);
    if (!read) {
      const fresh = readPipeline(definition, name);
      if ('problems' in fresh) throw new Error(`shipped pipeline ${name} is invalid: ${fresh.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
      shippedCache.set(definition, (read = fresh));
    }
    return read;
  });
}

function readPipelineFile(file: string): ReadPipeline | { problems: PipelineProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { problems: [{ file, message: missing ? 'pipeline file not found (a relative path is taken from the alert file)' : `cannot be read: ${errorMessage(error)}` }] };
  }
  const { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq } = loadPackage<typeof import('yaml')>('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length)
    return {
      problems: doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { file, line: pos.line, col: pos.col, message: `is not valid YAML: ${error.message.split('\n')[0]}` };
      }),
    };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { problems: [{ file, message: `cannot be read as data: ${errorMessage(error)}` }] };
  }
  const read = readPipeline(value, file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, ''));
  if (!('problems' in read)) return read;
  const locate = (path: DefinitionProblem['path'], key?: true) => {
    let node: unknown = doc.contents;
    for (const [index, segment] of path.entries()) {
      const pair = isMap(node) ? node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment)) : undefined;
      const next = pair ? (key && index === path.length - 1 ? pair.key : pair.value) : isSeq(node) && typeof segment === 'number' ? node.items[segment] : undefined;
      if (!next) break;
      node = next;
    }
    return lineCounter.linePos((node as { range?: number[] } | null)?.range?.[0] ?? 0);
  };
  return { problems: read.problems.map((p) => ({ file, ...locate(p.path, p.key), message: p.path.length ? `${p.path.join('.')}: ${p.message}` : p.message })) };
}
