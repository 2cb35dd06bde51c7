// The status page (status --html, and monitoring.status_page written by each run) through bin/alertcron.js against
// the real engine and the fake chat services, opened in headless Chromium: every section holds what the state
// holds, attacker-written text (log values, chat names, silence comments) shows literally and runs nothing, and no
// secret of the project is in it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { browserSkipReason, openBrowser, type Browser } from '../support/browser.js';
import { useChannelServers } from '../support/channelWorld.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import type { FakeChat } from '../support/telegramServer.js';
import { iso, useWorld } from '../support/world.js';
import { cleanText } from '../../src/util/text.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const skip = browserSkipReason();
const SECTIONS = ['runs', 'alerts', 'firing', 'silences', 'acks', 'pending', 'chats', 'chat-actions', 'conversations', 'hosts'];
/** The hostile text put in log values, chat names and silence comments: it must show literally and run nothing. */
const EVIL = HOSTILE_FIELDS.script;
const ADMIN = { id: 4646, first_name: 'Admin', username: 'boss' };
const adminChat: FakeChat = { id: ADMIN.id, type: 'private', first_name: 'Admin' };

let browser: Browser | undefined;
before(async () => {
  if (!skip) browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});
beforeEach(() => servers.telegram.clearQueue());

/** What a page shows, as Chromium sees it: per section its rows (or the empty note), the text, what ran and what broke. */
interface Seen {
  sections: Record<string, { rows: number; empty: boolean }>;
  text: string;
  pwned: unknown;
  active: number;
  background: string;
  errors: string[];
}

/** Opens a page file in Chromium in one colour scheme and reads it (a screenshot kept under `name`). */
async function look(file: string, name: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Seen> {
  const page = await browser!.open(file, { colorScheme, width: 1400, height: 1000 });
  try {
    const sections = await page.evaluate<Seen['sections']>(`Object.fromEntries(${JSON.stringify(SECTIONS)}.map((id) => { const s = document.getElementById(id); return [id, s ? { rows: s.querySelectorAll('table tbody tr').length, empty: !!s.querySelector('p.empty') } : null]; }))`);
    const seen: Seen = {
      sections,
      text: await page.evaluate<string>('document.body.innerText'),
      pwned: await page.evaluate('typeof window.__pwned'),
      active: await page.evaluate<number>("document.querySelectorAll('script, img, svg, iframe, object, [onerror], [onload]').length"),
      background: await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'),
      errors: page.errors(),
    };
    console.log(`screenshot: ${await page.screenshot(`${name}-${colorScheme}`)}`);
    return seen;
  } finally {
    await page.close();
  }
}

/** Asserts what every status page must be: each section there (a table with rows, or the empty note), nothing run, no error. */
function assertSound(seen: Seen, filled: string[]): void {
  for (const id of SECTIONS) {
    const s = seen.sections[id];
    assert.ok(s, `section #${id} is on the page`);
    assert.ok(s.rows > 0 !== s.empty, `#${id} has rows or says it is empty, not both: ${JSON.stringify(s)}`);
  }
  for (const id of filled) assert.ok(seen.sections[id]!.rows > 0, `#${id} has rows: ${JSON.stringify(seen.sections)}`);
  assert.equal(seen.pwned, 'undefined', 'no injected script or handler ran');
  assert.equal(seen.active, 0, 'no script, image, svg or event handler became markup');
  assert.deepEqual(seen.errors, [], 'no console error, exception or CSP violation');
}

/**
 * A project whose alert groups logons by user name (hostile names among them, `users` logging on a minute before T),
 * writing its status page, notifying a Telegram bot run by an administrator and the mail sink (`alert` overrides).
 */
async function chatProject(indexName = 'status-page', users: readonly string[] = [EVIL, 'root', 'bob', 'dave'], alert: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index(indexName);
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - MIN, user, { host: 'dc07' })));
  const p = world.project();
  const config = servers.config(world) as { channels: Record<string, unknown>; monitoring?: unknown };
  config.channels['team-bot'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', admin_chat_id: String(ADMIN.id), api_url: servers.telegram.base, timeout: '3s', bot: true };
  config.monitoring = { status_page: join(p.dir, 'www', 'status.html') };
  p.writeConfig(config);
  Object.assign(p.env, servers.secrets);
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['team-bot', 'soc-email'], throttle: '5m', lookback: '15m', title: 'Admin logon: {{key}}', message: '{{count}} logon(s) to {{key}}', samples: 0, ...alert });
  return { T, p, page: join(p.dir, 'www', 'status.html') };
}

/** The page file a run wrote, read after checking it is there and readable by others (a web server). */
function pageOf(file: string): string {
  assert.ok(existsSync(file), `the page ${file} was written`);
  assert.equal(statSync(file).mode & 0o777, 0o644, 'readable by a web server, written by its owner only');
  return readFileSync(file, 'utf8');
}

/** Asserts that none of the project's secrets is in a text. */
function assertNoSecret(text: string, p: Project, where: string): void {
  for (const [name, value] of Object.entries({ ...servers.secrets, ...p.env })) {
    if (name.endsWith('_URL')) continue;
    assert.ok(!text.includes(value), `${where} holds the value of ${name}`);
  }
  assert.ok(!text.includes(servers.telegram.token), `${where} holds the bot token`);
}

test('the status page: written by every run (a failing one too), each section filled from the real state, hostile names shown literally and inert in Chromium, no secret, both themes', async () => {
  const { T, p, page } = await chatProject();
  world.smtp.refuseWith = 451;
  const at = (minutes: number, args = ['run']) => p.run(args, { ALERTCRON_NOW: iso(T + minutes * MIN) });

  // A run that fails (no chat allowed yet, the mail server refusing): exit 4, and the page shows it.
  const first = await at(0);
  assert.equal(first.code, 4, first.stderr);
  const firstPage = pageOf(page);
  assert.match(firstPage, /<section id="runs">[\s\S]*?<tbody>\n<tr><td><time[^>]*>[^<]*<\/time>[^\n]*exit code|<section id="runs">[\s\S]*?>4<\/span>/, 'the failed run is listed with its exit code');
  assertNoSecret(firstPage, p, 'the page of a failing run');

  // Chats: a group with a hostile title asks to join and is allowed; a stranger with a hostile name waits; one is banned.
  const group: FakeChat = { id: -1_009_770_001, type: 'supergroup', title: `SOC ${EVIL}` };
  servers.telegram.membership(group, { id: 667, first_name: `Eve ${EVIL}` }, 'left', 'member');
  servers.telegram.say({ id: 778, first_name: `Mallory ${EVIL}` }, { id: 778, type: 'private', first_name: `Mallory ${EVIL}` }, '/start');
  servers.telegram.say({ id: 779, first_name: 'Trudy' }, { id: 779, type: 'private', first_name: 'Trudy' }, '/start');
  assert.equal((await at(1)).code, 4);
  const request = servers.telegram.inChat(ADMIN.id).find((m) => m.text.startsWith('New supergroup'))!;
  assert.ok(request, 'the administrator was asked about the group');
  servers.telegram.press(ADMIN, request, request.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  servers.telegram.say(ADMIN, adminChat, '/ban779');

  // A silence with a hostile comment and author, an ack by a hostile name, from the shell.
  const silence = await at(1.5, ['silence', 'add', 'admins', '--key', 'root', '--for', '2h', '--comment', `patching ${EVIL}`, '--author', `alice ${EVIL}`]);
  assert.equal(silence.code, 0, silence.stderr);
  const ack = await at(1.6, ['ack', 'admins', '--key', EVIL, '--by', `carol ${EVIL}`]);
  assert.equal(ack.code, 0, ack.stderr);
  const third = await at(2);
  assert.equal(third.code, 4, `the mail is still refused: a failing run: ${third.stderr}`);
  // A member of the group with a hostile name acks dave's notice there: a chat action.
  const notice = servers.telegram.inChat(group.id).find((m) => m.text.includes('dave'));
  assert.ok(notice, `dave's notice went to the allowed group: ${servers.telegram.inChat(group.id).map((m) => m.text).join(' | ')}`);
  servers.telegram.press({ id: 667, first_name: `Eve ${EVIL}` }, notice, notice.reply_markup!.inline_keyboard[0]![0]!.callback_data);
  const fourth = await at(3);
  assert.equal(fourth.code, 4, `bob's mail is still refused: ${fourth.stderr}`);

  const html = pageOf(page);
  assertNoSecret(html, p, 'the page');
  assert.ok(!html.includes('<script'), 'no script element at all');
  // The same page from the command, and the same data as --json.
  const own = join(p.dir, 'by-hand.html');
  const command = await at(3.5, ['status', '--html', own]);
  assert.equal(command.code, 0, command.stderr);
  assert.equal(command.stdout, '', 'the page goes to the file, not to stdout');
  const json = JSON.parse((await at(3.5, ['status', '--json'])).stdout);
  assert.deepEqual(json.runs.map((r: { exit_code: number }) => r.exit_code), [4, 4, 4, 4]);
  assert.ok(json.alerts[0].firing.every((f: { first_seen: string }) => f.first_seen === iso(T)), 'firing keys carry their first sight');
  const acks = new Map(json.acks.map((a: { key: string; by: string }) => [a.key, a.by]));
  assert.deepEqual([...acks.keys()].sort(), [EVIL, 'dave'].sort());
  assert.equal(acks.get(EVIL), `carol ${EVIL}`);
  assert.match(acks.get('dave') as string, /^Eve <script>window\.__pwned=1<\/script> .*\(telegram 667\)$/, 'acked from chat by the hostile name (cut by the chat code)');

  if (skip) return console.log(`browser part skipped: ${skip}`);
  const light = await look(page, 'status-page');
  assertSound(light, ['runs', 'alerts', 'firing', 'silences', 'acks', 'pending', 'chats', 'chat-actions']);
  assert.equal(light.sections.runs!.rows, 4);
  assert.ok(light.text.includes(EVIL), 'the hostile key is shown literally');
  // Chat titles are kept cut in the state: their start is what the page can show.
  assert.ok(light.text.includes('SOC <script>window.__pwned=1</script> <img'), 'the hostile chat title is shown literally');
  assert.ok(light.text.includes('Mallory <script>window.__pwned=1</script> <img'), 'the waiting chat\'s hostile name is shown literally');
  assert.ok(light.text.includes('Eve <script>window.__pwned=1</script> <img'), 'who acted in chat is shown literally');
  assert.ok(light.text.includes(`patching ${EVIL}`) && light.text.includes(`alice ${EVIL}`), 'the silence comment and author are shown literally');
  assert.ok(light.text.includes(`carol ${EVIL}`), 'who acked is shown literally');
  assert.match(light.text, /\(\d+m\d*s? ago\)|\(\d+s ago\)/, 'times say how long ago');
  const dark = await look(page, 'status-page', 'dark');
  assertSound(dark, []);
  assert.notEqual(dark.background, light.background, 'dark and light themes differ');
  const byHand = await look(own, 'status-page-command');
  assertSound(byHand, ['runs', 'alerts', 'firing', 'silences', 'acks', 'pending', 'chats', 'chat-actions']);
});

/** The start times of the runs the page's #runs section lists, top to bottom. */
function pageRuns(html: string): string[] {
  const section = /<section id="runs">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  return [...section.matchAll(/<tr><td><time datetime="([^"]+)">/g)].map((m) => m[1]!);
}

test('the run history: the last runs newest first (one failing) in status --json and on the page; an older state without it reads as none; a run that found the lock held writes the page too; a page that cannot be written is only a warning', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('status-history');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const p = world.project();
  const page = join(p.dir, 'status.html');
  const config = (esUrl: string, extra: Record<string, unknown> = {}) => ({ ...defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { status_page: page }, ...extra });
  p.writeConfig(config(world.esUrl));
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '1h', title: 'Admin {{key}}' });
  const at = (minutes: number, args = ['run']) => p.run(args, { ALERTCRON_NOW: iso(T + minutes * MIN) });

  assert.equal((await at(0)).code, 0);
  p.writeConfig(config('http://127.0.0.1:9'));
  const down = await at(1);
  assert.equal(down.code, 3, 'the search engine cannot be reached: a failed source');
  p.writeConfig(config(world.esUrl));
  assert.equal((await at(2)).code, 0);

  const json = JSON.parse((await at(2.5, ['status', '--json'])).stdout);
  assert.deepEqual(json.runs.map((r: { started: string; exit_code: number; alerts: number; alerts_failed: number }) => [r.started, r.exit_code, r.alerts, r.alerts_failed]), [[iso(T + 2 * MIN), 0, 1, 0], [iso(T + MIN), 3, 1, 1], [iso(T), 0, 1, 0]]);
  assert.deepEqual(json.runs.map((r: { delivered: number }) => r.delivered), [0, 0, 1], 'the first run sent the notice');
  assert.match(json.runs[1].first_error, /127\.0\.0\.1:9/, 'the failed run says what failed');
  assert.equal(json.runs[0].first_error, null);
  assert.deepEqual(pageRuns(readFileSync(page, 'utf8')), [iso(T + 2 * MIN), iso(T + MIN), iso(T)], 'the page the last run wrote lists them newest first');

  // A state written before the history existed: no history, and the next run starts one.
  const file = join(p.dir, 'state', 'state.json');
  const { runs: _runs, ...older } = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify(older));
  assert.deepEqual(JSON.parse((await at(2.5, ['status', '--json'])).stdout).runs, []);
  const byHand = join(p.dir, 'older.html');
  assert.equal((await at(2.5, ['status', '--html', byHand])).code, 0);
  assert.match(readFileSync(byHand, 'utf8'), /<section id="runs">[^\n]*\n<p class="empty">no run recorded yet/);
  assert.equal((await at(3)).code, 0);
  assert.deepEqual(pageRuns(readFileSync(page, 'utf8')), [iso(T + 3 * MIN)]);

  // Another run holds the lock (its Slack hangs): this one exits 5, and still writes the page from the state as it is.
  p.writeConfig(config(world.esUrl, { state: { lock_wait: '1s' } }));
  await indexDocs(world.esUrl, index, [logonEvent(T + 3.5 * MIN, 'admin')]);
  world.slack.behaviour = 'hang';
  const holder = p.spawn(['run'], { ALERTCRON_NOW: iso(T + 4 * MIN) });
  try {
    await world.slack.nextRequest();
    rmSync(page);
    const held = await at(4);
    assert.equal(held.code, 5, held.stderr);
    assert.deepEqual(pageRuns(readFileSync(page, 'utf8')), [iso(T + 3 * MIN)], 'the page of a run that did nothing shows the state as it is');
  } finally {
    holder.kill('SIGKILL');
    world.slack.behaviour = 'ok';
  }

  // The page cannot be written (its folder is a file): the run is not failed by it; it warns.
  p.writeConfig({ ...config(world.esUrl), monitoring: { status_page: join(p.dir, 'alertcron.yaml', 'status.html') } });
  const warned = await at(10);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /^warning: the status page .*alertcron\.yaml\/status\.html was not written \(monitoring\.status_page\): /m);
  const refused = await at(10, ['status', '--html', join(p.dir, 'alertcron.yaml', 'by-hand.html')]);
  assert.equal(refused.code, 6, 'status --html to a place it cannot write: exit 6, one clear line');
  assert.match(refused.stderr, /^alertcron: the status page .*by-hand\.html cannot be written: .*; give --html a file in a folder you can write\n$/);
});

test('every hostile string the channels are tested with (chat markup, mentions, wiki, TwiML and mail headers, a long value, emoji, a bidi override, a lone surrogate) as log values, chat names, a silence and an ack: shown as text on the page, no element or link of theirs in Chromium', async () => {
  const strings = Object.entries(HOSTILE_FIELDS);
  const { T, p } = await chatProject('status-page-hostile', strings.map(([, value]) => value), { group_size: 20, notify: ['soc-email'], message: undefined });
  const at = (minutes: number, args = ['run']) => p.run(args, { ALERTCRON_NOW: iso(T + minutes * MIN) });
  // Each string as the name of a person asking the bot to talk (waiting chats), one a minute apart in chat ids.
  strings.forEach(([, value], i) => servers.telegram.say({ id: 880 + i, first_name: value }, { id: 880 + i, type: 'private', first_name: value }, '/start'));
  const first = await at(0);
  assert.equal(first.code, 0, first.stderr);
  const all = strings.map(([, value]) => value).join(' | ');
  const silence = await at(0.5, ['silence', 'add', 'admins', '--key', HOSTILE_FIELDS.markdown, '--for', '2h', '--comment', all, '--author', HOSTILE_FIELDS.evil]);
  assert.equal(silence.code, 0, silence.stderr);
  const ack = await at(0.6, ['ack', 'admins', '--key', HOSTILE_FIELDS.wiki, '--by', HOSTILE_FIELDS.markdown]);
  assert.equal(ack.code, 0, ack.stderr);
  assert.equal((await at(1)).code, 0);
  const json = JSON.parse((await at(1, ['status', '--json'])).stdout);
  const keys: string[] = json.alerts[0].firing.map((f: { key: string }) => f.key);
  assert.equal(keys.length, strings.length, `every hostile value is a firing key: ${keys.map((k) => k.slice(0, 20)).join(', ')}`);
  const html = pageOf(join(p.dir, 'www', 'status.html'));
  assertNoSecret(html, p, 'the page');

  if (skip) return console.log(`browser part skipped: ${skip}`);
  const page = await browser!.open(join(p.dir, 'www', 'status.html'), { colorScheme: 'light', width: 1400, height: 1000 });
  /** The shown text of each cell under a header of a section's table. */
  const column = (section: string, header: string) =>
    page.evaluate<string[]>(`(() => { const t = document.querySelector('#${section} table'); const i = Array.from(t.tHead.rows[0].cells, (c) => c.textContent).indexOf('${header}'); return i < 0 ? ['no column ${header}'] : Array.from(t.tBodies[0].rows, (r) => r.cells[i].innerText); })()`);
  try {
    const seen = {
      pwned: await page.evaluate('typeof window.__pwned'),
      tags: await page.evaluate<string[]>("Array.from(new Set(Array.from(document.querySelectorAll('*'), (e) => e.tagName.toLowerCase()))).sort()"),
      links: await page.evaluate<string[]>("Array.from(document.querySelectorAll('a'), (a) => a.getAttribute('href')).filter((h) => !/^#[a-z-]+$/.test(h))"),
      attributes: await page.evaluate<string[]>("Array.from(new Set(Array.from(document.querySelectorAll('*'), (e) => Array.from(e.attributes, (a) => a.name)).flat())).sort()"),
      text: await page.evaluate<string>('document.body.innerText'),
      chats: await page.evaluate<string>("document.getElementById('chats').innerText"),
      // The cells of one column of the silences and acks tables: their authors are firing keys too, so the whole page's text would hold them anyway.
      firingKeys: await column('firing', 'key'),
      silenceBy: await column('silences', 'by'),
      silenceComment: await column('silences', 'comment'),
      ackBy: await column('acks', 'by'),
      errors: page.errors(),
    };
    console.log(`screenshot: ${await page.screenshot('status-page-hostile-light')}`);
    assert.equal(seen.pwned, 'undefined', 'no injected script or handler ran');
    const own = ['a', 'body', 'br', 'code', 'h1', 'h2', 'head', 'header', 'html', 'meta', 'nav', 'p', 'section', 'span', 'style', 'table', 'tbody', 'td', 'th', 'thead', 'time', 'title', 'tr'];
    assert.deepEqual(seen.tags.filter((tag) => !own.includes(tag)), [], 'no element but the page\'s own (no b, at, Dial, Say, img, svg, script)');
    assert.deepEqual(seen.links, [], 'no link but the page\'s own anchors');
    assert.deepEqual(seen.attributes.filter((name) => !['lang', 'charset', 'http-equiv', 'content', 'name', 'href', 'id', 'class', 'datetime'].includes(name)), [], 'no attribute of theirs');
    assert.deepEqual(seen.errors, [], 'no console error, exception or CSP violation');
    // Each string is shown as its text (made clean: the bidi override taken out, line breaks and controls as spaces, a lone surrogate as U+FFFD).
    const flat = (text: string) => cleanText(text).replace(/\s+/g, ' ').trim();
    const keys = seen.firingKeys.map(flat);
    // In the firing keys' own cells: the silence comment holds every string too, so the page's text would anyway.
    for (const [name, value] of strings) assert.ok(keys.includes(flat(value)), `the ${name} string is shown literally as a firing key: ${JSON.stringify(keys)}`);
    assert.ok(!seen.text.includes('\u202E'), 'the bidi override is not on the page');
    // Chat names are kept cut in the state: their start is what the page can show.
    for (const [name, value] of strings) assert.ok(flat(seen.chats).includes(flat(value).slice(0, 40)), `the ${name} string is shown as a waiting chat's name`);
    assert.deepEqual(seen.silenceComment.map(flat), [flat(all)], 'the silence comment with all of them is shown literally in its cell');
    assert.deepEqual(seen.silenceBy.map(flat), [flat(HOSTILE_FIELDS.evil)], "the silence's author is shown literally in its cell");
    assert.deepEqual(seen.ackBy.map(flat), [flat(HOSTILE_FIELDS.markdown)], "the ack's author is shown literally in its cell");
  } finally {
    await page.close();
  }
});
