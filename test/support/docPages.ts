// The documentation pages (README.md and docs/**/*.md) and the check of the links between them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from './project.js';
import { anchorsOf, headingText, isExternal, linksOf, proseLines } from './markdownLinks.js';

/** README.md and every page under docs/, relative to the repository. */
export function docPages(root = REPO_ROOT): string[] {
  const pages = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return pages;
}

/** What is wrong with every relative link of the pages (file:line: [text](target): why), and which pages README cannot reach. */
export function checkLinks(root = REPO_ROOT): { broken: string[]; unreachable: string[] } {
  const pages = docPages(root);
  const anchors = new Map<string, Set<string>>();
  const anchorsAt = (page: string) => {
    if (!anchors.has(page)) anchors.set(page, anchorsOf(readFileSync(join(root, page), 'utf8')));
    return anchors.get(page)!;
  };
  const broken: string[] = [];
  const linked = new Map<string, string[]>();
  for (const page of pages) {
    const to: string[] = [];
    for (const link of linksOf(readFileSync(join(root, page), 'utf8'))) {
      if (isExternal(link.target)) continue;
      const where = `${page}:${link.line}: [${link.text}](${link.target})`;
      const hash = link.target.indexOf('#');
      const path = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash));
      const fragment = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
      const file = path ? normalize(relative(root, resolve(root, dirname(page), path.startsWith('/') ? `.${path}` : path))) : page;
      if (file.startsWith(`..${sep}`) || file === '..') {
        broken.push(`${where}: leads out of the repository`);
        continue;
      }
      if (!existsSync(join(root, file))) {
        broken.push(`${where}: no file ${file}`);
        continue;
      }
      if (file.endsWith('.md')) to.push(file);
      if (fragment === undefined) continue;
      if (!file.endsWith('.md') || statSync(join(root, file)).isDirectory()) broken.push(`${where}: an anchor into ${file}, which is not a markdown page`);
      else if (!anchorsAt(file).has(fragment)) broken.push(`${where}: ${file} has no heading whose anchor is #${fragment}`);
    }
    linked.set(page, to);
  }
  const reached = new Set(['README.md']);
  const queue = ['README.md'];
  while (queue.length) for (const next of linked.get(queue.shift()!) ?? []) if (!reached.has(next)) reached.add(next), queue.push(next);
  return { broken, unreachable: pages.filter((p) => !reached.has(p)) };
}

/**
 * Sections named in quotes instead of linked (file:line: "name": which pages have that heading): a quoted text that
 * is a heading of some page, with "see" or "section" shortly before it, should be a link to that heading.
 */
export function unlinkedSectionNames(root = REPO_ROOT): string[] {
  const pages = docPages(root);
  const headings = new Map<string, string[]>();
  for (const page of pages) {
    for (const { line, text } of proseLines(readFileSync(join(root, page), 'utf8'))) {
      if (!/^ {0,3}#{1,6}[ \t]/.test(text)) continue;
      const raw = readFileSync(join(root, page), 'utf8').split('\n')[line - 1]!;
      const name = headingText(raw.replace(/^ {0,3}#{1,6}[ \t]+/, '').replace(/[ \t]+#+[ \t]*$/, ''));
      headings.set(name, [...(headings.get(name) ?? []), page]);
    }
  }
  const found: string[] = [];
  for (const page of pages) {
    for (const { line, text } of proseLines(readFileSync(join(root, page), 'utf8'))) {
      for (const m of text.matchAll(/"([^"]+)"/g)) {
        const at = headings.get(m[1]!);
        if (at && /\b(see|section)\b/i.test(text.slice(Math.max(0, m.index! - 40), m.index!))) found.push(`${page}:${line}: "${m[1]}": a heading of ${[...new Set(at)].join(', ')}`);
      }
    }
  }
  return found;
}
