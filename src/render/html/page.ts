import { createHash } from 'node:crypto';
import { escapeHtml } from './escape.js';

/** What one self-contained page holds: its title, its body (HTML, every outside value already escaped), its own CSS and at most one script. */
export interface HtmlPageParts {
  title: string;
  /** The page's body markup. */
  body: string;
  /** CSS of the page added after the shared theme (colours come from the theme's custom properties). */
  style?: string;
  /** The page's one inline script (no src): the only script the page's Content-Security-Policy lets run. */
  script?: string;
}

/**
 * Colours as CSS custom properties: light by default, dark when the system asks for it (`prefers-color-scheme`).
 * Pages draw with `var(--fg)`, `var(--bg)`, `var(--muted)`, `var(--grid)`, `var(--line)`, `var(--threshold)`,
 * `var(--sent)`, `var(--held)`, `var(--resolved)`, `var(--escalated)`, `var(--failed)`, `var(--panel)`.
 */
const THEME = `:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1f24;--muted:#5b6570;--panel:#f3f5f7;--grid:#dde2e7;--line:#1f6feb;--threshold:#cf222e;--sent:#1a7f37;--held:#9a6700;--resolved:#0969da;--escalated:#8250df;--failed:#cf222e}
@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--panel:#161b22;--grid:#30363d;--line:#58a6ff;--threshold:#ff7b72;--sent:#3fb950;--held:#d29922;--resolved:#79c0ff;--escalated:#d2a8ff;--failed:#ff7b72}}
html{background:var(--bg);color:var(--fg)}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:16px 24px;background:var(--bg);color:var(--fg)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
pre{background:var(--panel);padding:8px 10px;overflow:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:6px 0 14px}
th,td{text-align:left;padding:3px 10px;border-bottom:1px solid var(--grid);vertical-align:top}
th{color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}`;

/** The CSP source of an inline script: its SHA-256 in base64 (the browser runs exactly that script text). */
function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/**
 * One self-contained HTML document: no network (CSP `default-src 'none'`, no external script, style, font or
 * image), inline styles only, and no script but the page's own (by its hash, so a `<script>` or an `on…=`
 * attribute that slipped into the markup would not run). Light and dark themes follow the system.
 */
export function htmlPage(parts: HtmlPageParts): string {
  const scriptSrc = parts.script === undefined ? "'none'" : scriptHash(parts.script);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${scriptSrc}; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="color-scheme" content="light dark">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${THEME}${parts.style ? `\n${parts.style}` : ''}</style>`,
    '</head>',
    '<body>',
    parts.body,
    parts.script === undefined ? '' : `<script>${parts.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
