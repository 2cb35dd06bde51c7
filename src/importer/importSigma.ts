import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { compileSigmaAlert, pickDocument, type SigmaSpec } from '../sigma/compile.js';
import { parseSigma } from '../sigma/parse/parseSigma.js';
import type { SigmaDocument, SigmaOutput } from '../sigma/types.js';
import { loadPackage } from '../util/loadPackage.js';
import { readInputFile } from '../util/readInputFile.js';
import { errorMessage } from '../util/errors.js';

/** Options of `alertcron import sigma`. */
export interface ImportSigmaOptions {
  /** Shipped pipeline names or pipeline files (relative to the working folder). */
  pipeline?: string[];
  index: string;
  /** The alerts folder to write into. */
  out: string;
  notify?: string[];
  output?: SigmaOutput;
  /** The project's defaults.sigma (pipeline files absolute), which the alerts written without their own get at run time. */
  defaults?: { pipeline?: string | string[]; output?: SigmaOutput };
  /** Called before each Sigma file with the files done and their total (a progress line's counter). */
  onFile?: (done: number, total: number) => void;
}

/** What `import sigma` did: alerts written, files kept, rules refused with the reason (at file:line). */
export interface ImportSigmaResult {
  out: string;
  converted: { source: string; alert: string; title: string }[];
  /** Alert files that were already there: never written over. */
  kept: string[];
  refused: { where: string; message: string }[];
}

/** Writes one Sigma alert per rule of the files and folders (recursive *.yml, *.yaml): rules that do not compile are refused with their reason. */
export function importSigma(paths: string[], options: ImportSigmaOptions): ImportSigmaResult {
  const out = resolve(options.out);
  const result: ImportSigmaResult = { out, converted: [], kept: [], refused: [] };
  mkdirSync(out, { recursive: true });
  const shown = (path: string) => relative(process.cwd(), path) || '.';
  // A pipeline file is named from the alert file, so from the out folder; a shipped name stays as it is.
  const pipeline = options.pipeline?.map((spec) => (/\.ya?ml$/i.test(spec) ? relative(out, resolve(spec)) : spec));
  const { stringify } = loadPackage<typeof import('yaml')>('yaml');
  const named = new Map<string, string>();
  const files = paths.flatMap((path) => sigmaFiles(resolve(path)));
  for (const [done, file] of files.entries()) {
    options.onFile?.(done, files.length);
    const read = readInputFile(file);
    if ('problem' in read) {
      result.refused.push({ where: shown(file), message: read.problem.message });
      continue;
    }
    const parsed = parseSigma(read.text);
    const stem = fileName(basename(file, extname(file)));
    const picked = pickDocument(parsed.documents, undefined);
    const several = !('document' in picked) || parsed.problems.length > 0;
    const alerts: { name: string; id?: string; document?: SigmaDocument }[] = !several ? [{ name: stem }] : unreferenced(parsed.documents).map((d) => ({ name: fileName(`${stem}-${d.meta.id ?? d.meta.name ?? ''}`), id: d.meta.id ?? d.meta.name, document: d }));
    // A broken document among good ones is refused on its own: the alerts of its siblings name their rule by id.
    if (several && parsed.documents.length) for (const p of parsed.problems) result.refused.push({ where: `${shown(file)}:${p.line}:${p.col}`, message: p.message });
    if (!alerts.length && !(several && parsed.documents.length && parsed.problems.length)) alerts.push({ name: stem });
    for (const alert of alerts) {
      const target = resolve(out, `${alert.name}.yaml`);
      if (!target.startsWith(out + sep)) {
        result.refused.push({ where: shown(file), message: `its alert file ${alert.name}.yaml would lie outside ${shown(out)}: give the rule another id` });
        continue;
      }
      if (named.has(alert.name)) {
        result.refused.push({ where: shown(file), message: `its alert would be ${alert.name}.yaml, as that of ${named.get(alert.name)}: rename one of the files (an alert's file name is its name)` });
        continue;
      }
      named.set(alert.name, shown(file));
      const spec: SigmaSpec = { rule: relative(out, file), ...(pipeline ? { pipeline: pipeline.length === 1 ? pipeline[0]! : pipeline } : {}), ...(options.output ? { output: options.output } : {}), ...(alert.id ? { id: alert.id } : {}) };
      if (alert.document && !alert.id) {
        result.refused.push({ where: `${shown(file)}:${alert.document.line}`, message: `"${alert.document.meta.title}" has no id or name to choose it by among the file's rules: give it an id` });
        continue;
      }
      const compiled = compileSigmaAlert(spec, out, options.defaults ?? {});
      if ('problems' in compiled) {
        for (const p of compiled.problems) result.refused.push({ where: `${shown(p.file)}${p.line ? `:${p.line}:${p.col ?? 1}` : ''}`, message: p.message });
        continue;
      }
      const body = { sigma: spec, index: options.index, ...(options.notify?.length ? { notify: options.notify } : {}) };
      try {
        writeFileSync(target, stringify(body), { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') result.kept.push(shown(target));
        else result.refused.push({ where: shown(file), message: `cannot write ${shown(target)}: ${errorMessage(error)}` });
        continue;
      }
      result.converted.push({ source: shown(file), alert: shown(target), title: compiled.compiled.meta.title });
    }
  }
  return result;
}

/** Text as an alert's file name (which is its name): every character but letters, digits, _ . and - becomes _, and a name of dots only gets a leading _. */
function fileName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^\.*$/.test(name) ? `_${name}` : name;
}

/** The documents no correlation of the file references: each is an alert of its own. */
function unreferenced(documents: SigmaDocument[]): SigmaDocument[] {
  const referenced = new Set(documents.flatMap((d) => (d.kind === 'correlation' ? d.rules : [])));
  return documents.filter((d) => !referenced.has(d.meta.id ?? '') && !referenced.has(d.meta.name ?? ''));
}

/** A Sigma file itself, or the *.yml and *.yaml files under a folder (hidden entries and symbolic links skipped), sorted. */
function sigmaFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [path]; // reported as not readable
  }
  if (!stat.isDirectory()) return [path];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const child = join(dir, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) found.push(child);
    }
  };
  walk(path);
  return found;
}
