import { quoteData } from './quote.js';
import { FIELDS_NAMESPACE, OWN_NAMES as RENDER_OWN_NAMES, OWN_NAMESPACE } from '../render/templateScope.js';

/** alertcron's own template names: an event field with one of these names is reached under `fields.`. */
const OWN_NAMES = new Set<string>([...RENDER_OWN_NAMES, OWN_NAMESPACE, FIELDS_NAMESPACE]);

/** ElastAlert2 arguments that are not event fields but values of the rule or the match, and their alertcron names. */
const RULE_VALUES: Record<string, string> = { name: 'alert', num_hits: 'count', num_matches: 'count', description: 'description' };

/** The alertcron template for one ElastAlert2 argument (a field path of the match, or a rule value). */
export function placeholder(arg: string): string {
  if (RULE_VALUES[arg]) return `{{${RULE_VALUES[arg]}}}`;
  return OWN_NAMES.has(arg.split('.')[0]!) ? `{{fields.${arg}}}` : `{{${arg}}}`;
}

/**
 * Walks a Python format string (`str.format`): doubled braces are literal ones, each `{...}` is handed to `field`,
 * which returns the template text for it (or undefined, having said why in `problems`). A literal brace beside
 * another, or beside a placeholder, would read as a template: that is a problem too.
 */
export function scanFormat(text: string, field: (inner: string, problems: string[]) => string | undefined): { template: string; problems: string[] } {
  const problems: string[] = [];
  let out = '';
  let doubled = false;
  const add = (piece: string) => {
    if ((out.endsWith('{') && piece.startsWith('{')) || (out.endsWith('}') && piece.startsWith('}'))) doubled = true;
    out += piece;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      // A doubled brace is a literal one in Python.
      add(c);
      i++;
      continue;
    }
    if (c !== '{') {
      add(c);
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) {
      problems.push('an unclosed { is kept as it is');
      out += text.slice(i);
      break;
    }
    const piece = field(text.slice(i + 1, end), problems);
    i = end;
    if (piece !== undefined) add(piece);
  }
  if (doubled) problems.push('a literal {{ or }} (or a brace beside a field) would read as a template: reword it');
  return { template: out, problems };
}

/**
 * Turns an ElastAlert2 text and its arguments (Python `str.format`: `{}`, `{0}`, or `{name}` with
 * `alert_text_kw`) into an alertcron template (`{{field.path}}`). Returns the template and what could not be
 * carried over (format specs such as `{0:.2f}`, a missing argument, literal braces that would read as a template).
 * `place` writes one argument as template text (default: placeholder; a channel that knows fewer names has its own).
 */
export function convertTemplate(text: string, args: unknown, kw: unknown, place: (arg: string, problems: string[]) => string | undefined = placeholder): { template: string; problems: string[] } {
  const positional = Array.isArray(args) ? args.map(String) : [];
  const named = kw && typeof kw === 'object' && !Array.isArray(kw) ? (kw as Record<string, unknown>) : {};
  let auto = 0;
  return scanFormat(text, (field, problems) => {
    const [ref, ...spec] = field.split(/[:!]/);
    if (spec.length) problems.push(`the format {${quoteData(field)}} has a conversion or format spec alertcron does not apply: the value is shown as it is`);
    const index = ref === '' ? auto++ : /^\d+$/.test(ref!) ? Number(ref) : undefined;
    let arg: string | undefined;
    if (index !== undefined) arg = positional[index];
    else if (typeof named[ref!] === 'string') arg = named[ref!] as string;
    else arg = ref;
    if (arg === undefined || arg === '' || /[[\]]/.test(arg)) {
      problems.push(`{${quoteData(field)}} has no argument alertcron can name (alert_*_args or alert_text_kw): left empty`);
      return undefined;
    }
    return place(arg, problems);
  });
}

/**
 * Turns a simple ElastAlert2 Jinja text (`alert_text_type: alert_text_jinja`) into an alertcron template: only
 * `{{ field.path }}` and `{{ _data['field.path'] }}` are carried over; anything else (`{% %}` blocks, filters,
 * expressions) makes it undefined, with the reason. `place` writes a field (default: placeholder).
 */
export function convertJinja(text: string, root = '_data', place: (path: string) => string = placeholder): { template?: string; problem?: string } {
  if (/\{%|\{#/.test(text)) return { problem: 'a Jinja template with {% %} blocks or {# #} comments: write the message with {{field}} templates' };
  let problem: string | undefined;
  const template = text.replace(/\{\{\s*(.*?)\s*\}\}/g, (whole, inner: string) => {
    const indexed = new RegExp(`^${root}\\[\\s*(['"])([^'"]+)\\1\\s*\\]$`).exec(inner);
    const path = indexed ? indexed[2]! : /^[A-Za-z_@][\w@.-]*$/.test(inner) ? inner : undefined;
    if (path === undefined) {
      problem ??= `the Jinja expression ${quoteData(whole)} is more than a field: write the message with {{field}} templates`;
      return whole;
    }
    return place(path);
  });
  return problem ? { problem } : { template };
}
