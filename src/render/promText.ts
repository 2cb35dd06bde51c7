// The Prometheus text exposition format (version 0.0.4), as node_exporter's textfile collector reads it: per family
// one `# HELP` and one `# TYPE` line before its samples, label values quoted and escaped, no timestamps, `\n` after
// every line (the last one too).

/** One sample of a family: its labels (names from the code, values escaped here) and its value. */
export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/** One metric family: a name following Prometheus' conventions, its help text, its type and its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the format quotes it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** A HELP docstring as the format wants it: backslash and line feed escaped (a quote stays as it is). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value as a Go float parser reads it (NaN, +Inf, -Inf spelled the way the format says). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * The exposition text of these families, in their order; a family without samples is left out. Throws on a metric or
 * label name outside the format's character set, or a family named twice (a programming error, never user input).
 */
export function promText(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`not a metric name: ${family.name}`);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} twice`);
    seen.add(family.name);
    if (!family.samples.length) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${family.name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `{name="value",...}` of a sample, or nothing when it has no labels. */
function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (!entries.length) return '';
  for (const [name] of entries) if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`not a label name: ${name}`);
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/**
 * The samples of the named families in an exposition text this module wrote (a metrics file being replaced), by
 * family name; lines it cannot read are skipped, so a damaged file gives fewer samples, never an error.
 */
export function readSamples(text: string, names: ReadonlySet<string>): Map<string, MetricSample[]> {
  const found = new Map<string, MetricSample[]>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/s.exec(line);
    if (!match || !names.has(match[1]!)) continue;
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    const labels = match[2] === undefined ? {} : readLabels(match[2]);
    if (!labels || (Number.isNaN(value) && match[3] !== 'NaN')) continue;
    found.set(match[1]!, [...(found.get(match[1]!) ?? []), Object.keys(labels).length ? { labels, value } : { value }]);
  }
  return found;
}

/** The labels of `name="value",...` (the text between a sample's braces), unescaped; undefined when it is not that. */
function readLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const label = pattern.exec(text);
    if (!label) return undefined;
    labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    at = pattern.lastIndex;
  }
  return labels;
}
