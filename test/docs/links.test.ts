import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkLinks, unlinkedSectionNames } from '../support/docPages.js';
import { Slugger, anchorsOf, githubSlug, headingText, linksOf, proseLines } from '../support/markdownLinks.js';
import { checkProperty } from '../support/property.js';

test('docs: every relative link of README.md and docs/ leads to a file of the repository, and every #anchor to a heading of its page', () => {
  const { broken } = checkLinks();
  assert.deepEqual(broken, [], `${broken.length} dead link(s) or anchor(s); fix the link or the heading (anchors follow GitHub's slugs: lower case, punctuation dropped, each space a hyphen, repeats -1, -2):\n  ${broken.join('\n  ')}`);
});

test('docs: every page under docs/ can be reached from README.md by links', () => {
  const { unreachable } = checkLinks();
  assert.deepEqual(unreachable, [], `page(s) no chain of links from README.md leads to; link each from README's map or from a page it links:\n  ${unreachable.join('\n  ')}`);
});

test('docs: a section named with "see" or "section" is a link to its heading, not its name in quotes', () => {
  const found = unlinkedSectionNames();
  assert.deepEqual(found, [], `link each to its heading ([name](page.md#anchor)):\n  ${found.join('\n  ')}`);
});

test('docs links: the quoted-section check names a section quoted after "see" and leaves a linked one and a quoted word', () => {
  const root = mkdtempSync(join(tmpdir(), 'alertcron-links-'));
  try {
    mkdirSync(join(root, 'docs'), { recursive: true });
    writeFileSync(join(root, 'README.md'), '# Top\n\nSee "Watching it" in operations; see [Watching it](docs/ops.md#watching-it); it prints "done".\n');
    writeFileSync(join(root, 'docs', 'ops.md'), '# Ops\n\n## Watching it\n\n## done\n\nThe section "Ops" above.\n```\nsee "Watching it"\n```\n');
    assert.deepEqual(unlinkedSectionNames(root), ['README.md:3: "Watching it": a heading of docs/ops.md', 'docs/ops.md:7: "Ops": a heading of docs/ops.md']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('docs links: the check names a dead file, a dead anchor, a link out of the repository and a page README cannot reach', () => {
  const root = mkdtempSync(join(tmpdir(), 'alertcron-links-'));
  try {
    mkdirSync(join(root, 'docs', 'channels'), { recursive: true });
    writeFileSync(join(root, 'README.md'), '# Top\n\nSee [install](docs/install.md#cron-and-systemd), [gone](docs/gone.md), [here](#top), [there](#nowhere) and [out](../x.md).\n');
    writeFileSync(join(root, 'docs', 'install.md'), '# Install\n\n## Cron and systemd\n\nBack to [the top](../README.md#top) or [a channel](channels/email.md#missing).\n');
    writeFileSync(join(root, 'docs', 'channels', 'email.md'), '# Email\n');
    writeFileSync(join(root, 'docs', 'orphan.md'), '# Orphan\n\n[install](install.md)\n');
    const { broken, unreachable } = checkLinks(root);
    assert.deepEqual(broken, [
      'README.md:3: [gone](docs/gone.md): no file docs/gone.md',
      'README.md:3: [there](#nowhere): README.md has no heading whose anchor is #nowhere',
      'README.md:3: [out](../x.md): leads out of the repository',
      'docs/install.md:5: [a channel](channels/email.md#missing): docs/channels/email.md has no heading whose anchor is #missing',
    ]);
    assert.deepEqual(unreachable, ['docs/orphan.md']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('docs links: GitHub slugs of headings, as the research found them and for odd headings', () => {
  const slugs = (...headings: string[]) => {
    const slugger = new Slugger();
    return headings.map((h) => slugger.slug(headingText(h)));
  };
  assert.deepEqual(slugs('Acting on alerts from chat: Telegram bot and Slack app'), ['acting-on-alerts-from-chat-telegram-bot-and-slack-app']);
  assert.deepEqual(slugs('Ask the person involved (2FA, escalation)'), ['ask-the-person-involved-2fa-escalation']);
  assert.deepEqual(slugs('Attribution (DRL 1.1)'), ['attribution-drl-11']);
  assert.deepEqual(slugs('Fields the index maps as `ip`'), ['fields-the-index-maps-as-ip']);
  // Code spans keep their underscores (a connector is kept); emphasis marks are not text.
  assert.deepEqual(slugs('`run.max_findings` and *emphasis* and __strong__ and _under_'), ['runmax_findings-and-emphasis-and-strong-and-under']);
  assert.deepEqual(slugs('snake_case stays'), ['snake_case-stays']);
  // Each space is a hyphen, none collapsed; other punctuation goes, hyphens stay.
  assert.deepEqual(slugs('A -- B  C'), ['a----b--c']);
  assert.deepEqual(slugs('What’s new? “Quotes”, slashes/and.dots!'), ['whats-new-quotes-slashesanddots']);
  assert.deepEqual(slugs('Links [like this](docs/x.md) keep their text'), ['links-like-this-keep-their-text']);
  assert.deepEqual(slugs('Ünïcödé Überschrift'), ['ünïcödé-überschrift']);
  assert.deepEqual(slugs('Emoji 🚀 rocket'), ['emoji--rocket']);
  // Repeats: -1, -2, and a heading that already reads like a repeat is told apart too.
  assert.deepEqual(slugs('Examples', 'Examples', 'Examples-1', 'Examples'), ['examples', 'examples-1', 'examples-1-1', 'examples-2']);
  assert.equal(githubSlug('Exit codes'), 'exit-codes');
});

test('docs links: headings and links inside code fences and code spans are not read; reference definitions and <a href> are', () => {
  const page = [
    '# Title',
    '```sh',
    '# a shell comment, not a heading',
    'see [not a link](nowhere.md)',
    '```',
    'Text with `[code](not-a-link.md)` and [a link](docs/a.md#part) and ![an image](img/x.png "t").',
    '~~~',
    '## Not a heading either',
    '~~~',
    '## Second `code` heading ##',
    '[ref]: docs/b.md',
    '<a href="docs/c.md">c</a> <a id="custom-anchor"></a>',
  ].join('\n');
  assert.deepEqual([...anchorsOf(page)], ['title', 'second-code-heading', 'custom-anchor']);
  assert.deepEqual(linksOf(page).map((l) => [l.line, l.target]), [[6, 'docs/a.md#part'], [6, 'img/x.png'], [11, 'docs/b.md'], [12, 'docs/c.md']]);
  assert.equal(proseLines(page).length, 5);
});

test('docs links: any heading gives an anchor of letters, numbers, marks, hyphens and underscores only, and repeats never collide', async () => {
  await checkProperty(
    'slugs are clean and unique',
    fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 12 }), (headings) => {
      const slugger = new Slugger();
      const slugs = headings.map((h) => slugger.slug(headingText(h)));
      assert.equal(new Set(slugs).size, slugs.length);
      for (const s of slugs) assert.doesNotMatch(s, /[\s!-,./:-@[-^`{-~]/u);
    }),
    300,
  );
});
