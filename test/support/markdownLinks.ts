// Reads markdown pages as GitHub shows them, for the docs checks: the anchors of their headings (GitHub's slugs),
// and the links they make, outside code fences and code spans.

/**
 * Characters GitHub drops from a heading's anchor (github-slugger 2.x, generated from Unicode's categories): other
 * numbers, punctuation but the hyphen-minus and the connector (`_`), symbols, controls, format, private use,
 * unassigned and separators but the space, unless the character is alphabetic.
 */
const DROPPED = /(?![ -])(?!\p{Alphabetic})[\p{No}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{S}\p{C}\p{Z}]/gu;

/** A heading's anchor as GitHub makes it, before repeats are told apart: lower case, dropped characters removed, each space a hyphen. */
export function githubSlug(text: string): string {
  return text.toLowerCase().replace(DROPPED, '').replace(/ /g, '-');
}

/** Gives the anchors of one page in order: a repeated slug gets -1, -2 ... (skipping any taken already), as GitHub does. */
export class Slugger {
  private readonly seen = new Map<string, number>();

  /** The anchor of the next heading with this plain text. */
  slug(text: string): string {
    const base = githubSlug(text);
    let slug = base;
    while (this.seen.has(slug)) {
      const n = this.seen.get(base)! + 1;
      this.seen.set(base, n);
      slug = `${base}-${n}`;
    }
    this.seen.set(slug, 0);
    return slug;
  }
}

/** The text a reader sees in a heading's markdown: code spans' text, links' and images' text, no emphasis marks, no HTML tags. */
export function headingText(markdown: string): string {
  return markdown
    .replace(/(`+)(.*?)\1/g, (_, _ticks, code: string) => code.replace(/[*_]/g, '\u0000$&'))
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(?<!\u0000)(\*+|(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}]))/gu, '')
    .replace(/\u0000/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .trim();
}

/** One line of a page outside code fences, with its code spans blanked (their text is not markdown). */
export interface ProseLine {
  line: number;
  text: string;
}

/** The lines of a page outside fenced code blocks (``` or ~~~), code spans replaced by spaces. */
export function proseLines(markdown: string): ProseLine[] {
  const lines: ProseLine[] = [];
  let fence: string | undefined;
  for (const [i, raw] of markdown.split('\n').entries()) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && raw.trim() === marker) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    lines.push({ line: i + 1, text: raw.replace(/(`+)(.+?)\1/g, (span) => ' '.repeat(span.length)) });
  }
  return lines;
}

/** The anchors a page has: its headings' slugs (ATX headings outside fences) and explicit `<a id>`/`<a name>` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const slugger = new Slugger();
  const anchors = new Set<string>();
  const rawLines = markdown.split('\n');
  for (const { line, text } of proseLines(markdown)) {
    for (const a of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]!);
    // The heading's own text, code spans included (proseLines blanked them).
    const heading = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(rawLines[line - 1]!);
    if (heading) anchors.add(slugger.slug(headingText(heading[1] ?? '')));
  }
  return anchors;
}

/** A link of a page: where it is, its text and its target as written. */
export interface PageLink {
  line: number;
  text: string;
  target: string;
}

/** The links of a page outside code: `[text](target)`, images, reference definitions `[label]: target`, and `<a href>`. */
export function linksOf(markdown: string): PageLink[] {
  const links: PageLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const m of text.matchAll(/!?\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, text: m[1]!, target: m[2]! });
    const definition = /^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(text);
    if (definition) links.push({ line, text: definition[1]!, target: definition[2]! });
    for (const m of text.matchAll(/<a\s[^>]*href="([^"]+)"/g)) links.push({ line, text: '<a>', target: m[1]! });
  }
  return links;
}

/** Whether a link target leaves the repository (a URL with a scheme: https:, mailto: ...). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}
