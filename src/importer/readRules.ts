import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseYamlFile, type YamlFile } from '../config/yamlDocument.js';
import { readInputFile } from '../util/readInputFile.js';
import { quoteData } from './quote.js';

/** Where a value of an ElastAlert2 rule was written: the file and the path inside it (for `file:line`). */
export interface Origin {
  yaml: YamlFile;
  path: (string | number)[];
}

/** One ElastAlert2 rule with its `import:` chain applied: its merged keys, and where each was written. */
export interface ElastAlertRule {
  /** The rule file, as shown (relative to the current folder). */
  file: string;
  value: Record<string, unknown>;
  /** Where each top-level key came from (the rule file, a file it imports, or config.yaml). */
  origin: Map<string, Origin>;
  /** The filters, concatenated along the import chain, each with where it was written. */
  filters: { value: unknown; origin: Origin }[];
  /** config.yaml as shown, when its keys filled this rule's defaults. */
  configFile?: string;
}

/** A file that could not be read or parsed, or an import that could not be followed, with `file:line`. */
export interface ReadProblem {
  where: string;
  message: string;
}

/** Shows a path as the user wrote it: relative to the current folder. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** `file:line` of a value (or its key) in a parsed file. */
export function whereOf(origin: Origin, key = true): string {
  const { line } = origin.yaml.locate(origin.path, key);
  return line ? `${origin.yaml.file}:${line}` : origin.yaml.file;
}

/** Every .yaml/.yml file under a folder (a symbolic link to a file too), its subfolders included (ElastAlert2's scan_subdirectories), sorted. */
function yamlFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...yamlFiles(path));
    else if ((entry.isFile() || entry.isSymbolicLink()) && ['.yaml', '.yml'].includes(extname(entry.name))) files.push(path);
  }
  return files;
}

/** Parses one YAML file, or says why it cannot be used. */
async function parseFile(path: string): Promise<YamlFile | ReadProblem> {
  const read = readInputFile(path);
  if ('problem' in read) return { where: shown(path), message: read.problem.message };
  const yaml = await parseYamlFile(shown(path), read.text);
  if (yaml.problems.length) {
    const p = yaml.problems[0]!;
    return { where: p.line ? `${p.file}:${p.line}` : p.file, message: `not YAML ElastAlert2 can read either (${quoteData(p.message, 160)}); a template (Jinja, placeholders) must be rendered first` };
  }
  if (!yaml.value || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) return { where: yaml.file, message: 'is not a mapping of rule options' };
  return yaml;
}

/** The `import:` entries of a parsed file, as a list. */
function importsOf(value: Record<string, unknown>): string[] {
  const imports = value.import;
  if (typeof imports === 'string') return [imports];
  if (Array.isArray(imports)) return imports.filter((i): i is string => typeof i === 'string');
  return [];
}

/** Whether `path` is `root` or inside it. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Why an import's target is outside the rules folder (an absolute path, `..`, or a link that leads out), or undefined when it is inside. */
function leavesFolder(root: string, name: string, target: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    real = target;
  }
  if (isInside(root, real)) return undefined;
  if (isAbsolute(name)) return 'an absolute path outside the rules folder';
  return isInside(root, target) ? 'a symbolic link that leads outside the rules folder' : 'a path that leaves the rules folder (..)';
}

/** What the report says of a file it did not read because it is outside the rules folder. */
function notRead(reason: string): string {
  return `not read, ${reason}; copy the file into the rules folder, or pass --allow-outside-imports if you trust it`;
}
/**
 * Reads every rule file under `rulesDir` and applies its `import:` chain as ElastAlert2 does: a relative import is
 * found next to the importing file (else in the rules folder), the importing file's keys win, and `filter` lists
 * are concatenated (all must hold). Files that another file imports are fragments, not rules. `defaults` (from
 * config.yaml) fill the keys no file sets. An import that leads out of the rules folder (an absolute path, `..`,
 * a symbolic link) is refused, its file never read, unless `allowOutsideImports`.
 */
export async function readRules(rulesDir: string, defaults?: YamlFile, options: { allowOutsideImports?: boolean; onFile?: (done: number, total: number) => void } = {}): Promise<{ rules: ElastAlertRule[]; problems: ReadProblem[]; fragments: string[] }> {
  const problems: ReadProblem[] = [];
  const parsed = new Map<string, YamlFile | ReadProblem>();
  const parse = async (path: string) => {
    if (!parsed.has(path)) parsed.set(path, await parseFile(path));
    return parsed.get(path)!;
  };
  const root = realpathSync(rulesDir);
  // A rule file that is a link leading out of the folder is not read either.
  const files = yamlFiles(rulesDir).filter((file) => {
    const outside = options.allowOutsideImports ? undefined : leavesFolder(root, relative(rulesDir, file), file);
    if (outside) problems.push({ where: shown(file), message: notRead(outside) });
    return !outside;
  });
  const imported = new Set<string>();
  const resolveImport = (from: string, name: string): { path: string } | { refused: string } | undefined => {
    const candidates = [resolve(dirname(from), name), resolve(rulesDir, name)];
    const path = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    const outside = path && !options.allowOutsideImports ? leavesFolder(root, name, path) : undefined;
    return outside ? { refused: outside } : path ? { path } : undefined;
  };
  for (const [done, file] of files.entries()) {
    options.onFile?.(done, files.length);
    const yaml = await parse(file);
    if ('message' in yaml) continue;
    for (const name of importsOf(yaml.value as Record<string, unknown>)) {
      const target = resolveImport(file, name);
      if (target && 'path' in target) imported.add(target.path);
    }
  }
  const rules: ElastAlertRule[] = [];
  const merge = async (path: string, chain: string[], rule: ElastAlertRule): Promise<boolean> => {
    const yaml = await parse(path);
    if ('message' in yaml) {
      problems.push(yaml);
      return false;
    }
    const value = yaml.value as Record<string, unknown>;
    // Imports first: the importing file's own keys override them.
    for (const [i, name] of importsOf(value).entries()) {
      const importPath = Array.isArray(value.import) ? ['import', i] : ['import'];
      const found = resolveImport(path, name);
      const where = whereOf({ yaml, path: importPath }, false);
      if (!found) {
        problems.push({ where, message: `import ${quoteData(name)}: no such file next to ${yaml.file} or in the rules folder` });
        return false;
      }
      if ('refused' in found) {
        problems.push({ where, message: `import ${quoteData(name)}: ${notRead(found.refused)}` });
        return false;
      }
      const target = found.path;
      if (chain.includes(target)) {
        problems.push({ where, message: `import ${quoteData(name)}: the imports go round in a circle (${[...chain, target].map(shown).join(' -> ')})` });
        return false;
      }
      if (!(await merge(target, [...chain, target], rule))) return false;
    }
    for (const [key, v] of Object.entries(value)) {
      if (key === 'import') continue;
      if (key === 'filter' && Array.isArray(v)) {
        rule.filters.push(...v.map((item, i) => ({ value: item, origin: { yaml, path: ['filter', i] } })));
        rule.origin.set(key, { yaml, path: [key] });
        continue;
      }
      rule.value[key] = v;
      rule.origin.set(key, { yaml, path: [key] });
    }
    return true;
  };
  for (const file of files) {
    if (imported.has(file)) {
      // A fragment is read through the rules that import it; its own broken imports (a circle) are still named.
      await merge(file, [file], { file: shown(file), value: {}, origin: new Map(), filters: [] });
      continue;
    }
    const rule: ElastAlertRule = { file: shown(file), value: {}, origin: new Map(), filters: [], ...(defaults ? { configFile: defaults.file } : {}) };
    if (!(await merge(file, [file], rule))) continue;
    if (defaults) {
      for (const [key, v] of Object.entries(defaults.value as Record<string, unknown>)) {
        if (rule.value[key] !== undefined || key === 'filter') continue;
        rule.value[key] = v;
        rule.origin.set(key, { yaml: defaults, path: [key] });
      }
    }
    rules.push(rule);
  }
  // A fragment's problem is met through each rule that imports it: named once.
  const unique = [...new Map(problems.map((p) => [`${p.where}\u0000${p.message}`, p])).values()];
  return { rules, problems: unique, fragments: [...imported].map(shown).sort() };
}
