// Development script: our Lucene output against pySigma's over a whole SigmaHQ checkout (or any folder of rules).
//   git -C /work/.mirror/SigmaHQ+sigma/repo archive HEAD rules | tar -x -C /tmp/sigmahq
//   node dist/test/sigma/dev/compareSigmaHQ.js --rules /tmp/sigmahq/rules [--pipeline sysmon,ecs_windows] [--trees] [--diffs 10]
// Without --trees our own parser reads the rules (and, with --pipeline, our pipelines map them); with --trees pySigma's
// condition trees are the input, which isolates the output stage. Prints the figures: compiled / refused (reasons
// counted), byte-identical / differing (the first few diffs).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runPySigma } from '../../support/pySigma.js';
import { SigmaRefused } from '../../../src/sigma/refused.js';
import type { SigmaNode } from '../../../src/sigma/types.js';
import { toLucene } from '../../../src/sigma/output/toLucene.js';
import { toDsl } from '../../../src/sigma/output/toDsl.js';
import { ourTrees } from './ourTrees.js';

interface Options {
  rules: string;
  pipelines: string[];
  trees: boolean;
  diffs: number;
}

function options(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const rules = value('--rules');
  if (!rules) throw new Error('usage: compareSigmaHQ --rules <dir> [--pipeline a,b] [--trees] [--diffs N]');
  return { rules: resolve(rules), pipelines: (value('--pipeline') ?? '').split(',').filter(Boolean), trees: argv.includes('--trees'), diffs: Number(value('--diffs') ?? '5') };
}

function ruleFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? ruleFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
    });
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/'[^']*'/g, "'…'").slice(0, 90);
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const files = ruleFiles(opts.rules);
  const started = Date.now();
  const [lucene, trees] = await Promise.all([
    runPySigma({ files, pipelines: opts.pipelines, mode: 'lucene' }),
    opts.trees ? runPySigma({ files, pipelines: opts.pipelines, mode: 'tree' }) : Promise.resolve(undefined),
  ]);
  const oracleMs = Date.now() - started;
  const ours = trees ? undefined : await ourTrees(files, opts.pipelines);
  let rules = 0;
  let compiled = 0;
  let dslCompiled = 0;
  let identical = 0;
  let bothRefused = 0;
  const refused = new Map<string, number>();
  const dslRefused = new Map<string, number>();
  const diffs: string[] = [];
  let differing = 0;
  const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  const ourStart = Date.now();
  for (const file of files) {
    const expected = lucene[file] ?? [];
    const inputs: ({ tree: SigmaNode } | { error: string })[] = trees
      ? (trees[file] ?? []).map((entry) => (entry.tree ? { tree: entry.tree as SigmaNode } : { error: entry.error ?? 'no tree' }))
      : (ours?.get(file) ?? []);
    expected.forEach((want, index) => {
      rules++;
      const input = inputs[index];
      let got: string | undefined;
      let error: string | undefined;
      if (!input) error = 'no rule at this position';
      else if ('error' in input) error = input.error;
      else {
        try {
          got = toLucene(input.tree);
        } catch (e) {
          error = e instanceof SigmaRefused ? e.message : `BUG ${String(e)}`;
        }
        try {
          toDsl(input.tree);
          dslCompiled++;
        } catch (e) {
          count(dslRefused, reason(e));
        }
      }
      if (got !== undefined) compiled++;
      else count(refused, reason(error));
      const query = want.queries?.length === 1 ? String(want.queries[0]) : undefined;
      if (got !== undefined && got === query) identical++;
      else if (got === undefined && want.error) bothRefused++;
      else {
        differing++;
        if (diffs.length < opts.diffs) diffs.push(`${file}\n  pySigma: ${query ?? want.error}\n  ours:    ${got ?? error}`);
      }
    });
  }
  const pct = (n: number): string => `${((100 * n) / Math.max(1, rules)).toFixed(2)}%`;
  const lines = [
    `rules: ${rules} in ${files.length} files under ${opts.rules} (pipelines: ${opts.pipelines.join(', ') || 'none'}; input: ${opts.trees ? "pySigma's trees" : 'our parser'})`,
    `compiled to Lucene: ${compiled} (${pct(compiled)}); refused: ${rules - compiled}`,
    ...[...refused].sort((a, b) => b[1] - a[1]).map(([why, n]) => `  ${n}  ${why}`),
    `compiled to DSL: ${dslCompiled} (${pct(dslCompiled)})`,
    ...[...dslRefused].sort((a, b) => b[1] - a[1]).map(([why, n]) => `  ${n}  ${why}`),
    `byte-identical to pySigma: ${identical} (${pct(identical)}); both refused: ${bothRefused}; differing: ${differing}`,
    `time: pySigma ${oracleMs} ms, ours ${Date.now() - ourStart} ms`,
    ...diffs,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
