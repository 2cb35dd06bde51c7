// A Sigma rule file is an alert's query: `alertcron run` compiles it (no Python), searches the real engine and
// notifies with the rule's level, author and ATT&CK ids; an edited rule file is compiled again on the next run; a
// broken one is reported at its own line and column while the other alerts still run; defaults route by level.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cacheContentText, parseCacheContent } from '../../src/config/parseCache.js';
import { defaultConfig } from '../support/project.js';
import { deleteIndices, uniqueBaseTime } from '../support/seed.js';
import { freshEcsIndex, processEvent, writeSigma } from '../support/sigmaEcs.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const indices: string[] = [];
after(() => deleteIndices(world.esUrl, indices));

/** A fresh ECS-mapped index holding the events, deleted after the tests. */
const ecsIndex = (prefix: string, events: Record<string, unknown>[]) => freshEcsIndex(world.esUrl, prefix, events, indices);

/** The plain text of each Slack message accepted: title, newline, message. */
const slackTexts = () => (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks[0]!.text.text);

/** A Sigma rule (written for these tests) that finds whoami.exe started, as process creation rules do. */
function whoamiRule(options: { level?: string; author?: string; image?: string } = {}): string {
  return [
    'title: Whoami Run By A Test',
    'id: 0b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f',
    'status: test',
    'description: Someone asked who they are.',
    `author: ${options.author ?? 'Ada Example'}`,
    'date: 2026-01-02',
    'tags:',
    '  - attack.discovery',
    '  - attack.t1033',
    'logsource:',
    '  category: process_creation',
    '  product: windows',
    'detection:',
    '  selection:',
    `    Image|endswith: '${options.image ?? '\\whoami.exe'}'`,
    '  condition: selection',
    'falsepositives:',
    '  - Admin scripts',
    `level: ${options.level ?? 'high'}`,
    '',
  ].join('\n');
}

test('a Sigma alert notifies with the rule\'s title, level, ATT&CK id and author; a value in another case still matches', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-whoami', [
    processEvent(T - 3 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe'),
    processEvent(T - 2 * MIN, 'ws2', 'C:\\WINDOWS\\SYSTEM32\\WHOAMI.EXE'),
    processEvent(T - 2 * MIN, 'ws3', 'C:\\Windows\\System32\\notepad.exe'),
  ]);
  const project = world.project();
  writeSigma(project.dir, 'whoami.yml', whoamiRule());
  project.writeAlert('whoami', { sigma: { rule: '../sigma/whoami.yml', pipeline: 'ecs_windows' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const texts = slackTexts().sort();
  assert.equal(texts.length, 2, texts.join('\n---\n'));
  assert.deepEqual(texts.map((t) => t.split('\n')[0]), ['Whoami Run By A Test (high): ws1', 'Whoami Run By A Test (high): ws2']);
  for (const text of texts) {
    assert.match(text, /Someone asked who they are\./);
    assert.match(text, /^ATT&CK: T1033$/m);
    assert.match(text, /^False positives: Admin scripts$/m);
    assert.match(text, /^Sigma rule by Ada Example \(DRL 1\.1\)$/m);
  }
});

test('output: lucene runs pySigma\'s query_string; a user message gets the author line unless it names {{sigma.author}}', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-lucene', [processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const project = world.project();
  writeSigma(project.dir, 'whoami.yml', whoamiRule());
  project.writeAlert('lucene', { sigma: { rule: '../sigma/whoami.yml', pipeline: 'ecs_windows', output: 'lucene' }, index, notify: ['soc-slack'], samples: 0, title: '{{sigma.id}}', message: '{{sigma.level}} {{sigma.tags}} {{sigma.status}} {{sigma.date}}' });
  project.writeAlert('credited', { sigma: { rule: '../sigma/whoami.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], samples: 0, title: 'credited', message: 'by {{sigma.author}}' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTexts().sort(), [
    '0b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f\nhigh attack.discovery, attack.t1033 test 2026-01-02\n\nSigma rule by Ada Example (DRL 1.1)',
    'credited\nby Ada Example',
  ]);
  const shown = await project.run(['test', 'lucene', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.match(shown.stdout, /query_string/, shown.stdout + shown.stderr);
});

test('editing the Sigma file changes what the next run matches (the parse cache recompiles it)', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-edit', [processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe'), processEvent(T + 30_000, 'ws3', 'C:\\Windows\\System32\\whoami.exe'), processEvent(T + 2 * MIN, 'ws2', 'C:\\Windows\\System32\\net.exe')]);
  const project = world.project();
  writeSigma(project.dir, 'recon.yml', whoamiRule());
  project.writeAlert('recon', { sigma: { rule: '../sigma/recon.yml', pipeline: 'ecs_windows' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['Whoami Run By A Test (high): ws1']);
  // The compiled alert is in the cache, depending on the Sigma file: marked there, the next run shows it is used.
  const cacheDir = join(project.dir, '.cache', 'alertcron');
  const [cacheFile] = readdirSync(cacheDir).filter((f) => f.endsWith('.json')).map((f) => join(cacheDir, f));
  assert.ok(cacheFile, 'the run wrote its parse cache');
  const cache = parseCacheContent(readFileSync(cacheFile, 'utf8'));
  const entry = Object.entries(cache.alerts).find(([path]) => path.endsWith(join('alerts', 'recon.yaml')))?.[1] as { d: [string, ...unknown[]][]; a: { title: string } } | undefined;
  assert.ok(entry, JSON.stringify(Object.keys(cache.alerts)));
  assert.ok(entry.d.some(([path]) => path.endsWith(join('sigma', 'recon.yml'))), JSON.stringify(entry.d));
  entry.a.title = 'From the cache: {{key}}';
  writeFileSync(cacheFile, cacheContentText(cache));
  world.slack.requests.length = 0;
  const cached = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(cached.code, 0, cached.stderr);
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['From the cache: ws3'], 'nothing changed: the cached alert ran');
  world.slack.requests.length = 0;
  writeSigma(project.dir, 'recon.yml', whoamiRule({ image: '\\net.exe', level: 'medium' }));
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['Whoami Run By A Test (medium): ws2'], 'the edited Sigma file was compiled again');
});

test('a broken Sigma file is reported at its line:col naming the alert; the other alerts still run', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-broken', [processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const project = world.project();
  writeSigma(project.dir, 'good.yml', whoamiRule());
  writeSigma(project.dir, 'bad.yml', whoamiRule().replace('  condition: selection', '  condition: selection and not filter'));
  project.writeAlert('good', { sigma: { rule: '../sigma/good.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], samples: 0 });
  project.writeAlert('bad', { sigma: { rule: '../sigma/bad.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], samples: 0 });
  project.writeAlert('typo', { sigma: { rule: '../sigma/good.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], title: '{{sigma.auther}}' });
  const validate = await project.run(['validate']);
  assert.notEqual(validate.code, 0);
  assert.match(validate.stderr + validate.stdout, /sigma\/bad\.yml:\d+:\d+: .*filter.*alerts\/bad\.yaml/);
  assert.match(validate.stderr, /alerts\/typo\.yaml:\d+:\d+ \/title: names \{\{sigma\.auther\}\}, but a Sigma rule's values are sigma\.title, .*sigma\.author/);
  project.writeAlert('typo', { sigma: { rule: '../sigma/good.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], enabled: false });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['Whoami Run By A Test (high)']);
  assert.match(run.stderr, /sigma\/bad\.yml/);
});

test('defaults.sigma routes a rule without notify by its level; a level routed nowhere is a clear problem', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-route', [processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) as { defaults: Record<string, unknown> };
  project.writeConfig({ ...base, defaults: { ...base.defaults, sigma: { pipeline: 'ecs_windows', notify: { high: ['soc-slack'], critical: ['soc-email'] } } } });
  writeSigma(project.dir, 'high.yml', whoamiRule({ level: 'high' }));
  writeSigma(project.dir, 'critical.yml', whoamiRule({ level: 'critical' }));
  writeSigma(project.dir, 'low.yml', whoamiRule({ level: 'low' }));
  project.writeAlert('high', { sigma: { rule: '../sigma/high.yml' }, index, samples: 0 });
  project.writeAlert('critical', { sigma: { rule: '../sigma/critical.yml' }, index, samples: 0 });
  project.writeAlert('low', { sigma: { rule: '../sigma/low.yml' }, index, samples: 0 });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.match(run.stderr, /alerts\/low\.yaml.*defaults\.sigma\.notify routes no channel for level low/);
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['Whoami Run By A Test (high)']);
  assert.equal(world.smtp.messages.length, 1);
  assert.match(world.smtp.messages[0]!.subject, /^Whoami Run By A Test \(critical\)/);
});

test('generated hostile rule metadata (title, author, description, false positives) reaches Slack as inert text, the author always named', async () => {
  const { checkProperty, fc } = await import('../support/property.js');
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-hostile', [processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const piece = fc.constantFrom('<!channel>', '<!here>', '@here', '<@U024BE7LH>', '<https://evil.example|click>', '{{fields.host.name}}', '{{alertcron.key}}', '*bold*', '[x](https://evil.example)', '&amp;', 'Ada', 'Müller', '🔥');
  const text = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));
  await checkProperty(
    'hostile Sigma metadata stays inert',
    fc.asyncProperty(text, text, text, text, async (title, author, description, falsepositive) => {
      world.slack.requests.length = 0;
      const project = world.project();
      const rule = [`title: ${JSON.stringify(title)}`, `author: ${JSON.stringify(author)}`, `description: ${JSON.stringify(description)}`, `falsepositives: [${JSON.stringify(falsepositive)}]`, 'tags: [attack.t1033]', 'logsource: {category: process_creation, product: windows}', 'detection:', '  selection:', "    Image|endswith: '\\whoami.exe'", '  condition: selection', 'level: high', ''].join('\n');
      writeSigma(project.dir, 'hostile.yml', rule);
      project.writeAlert('hostile', { sigma: { rule: '../sigma/hostile.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], samples: 0 });
      const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
      assert.equal(result.code, 0, result.stderr);
      const [sent] = world.slack.accepted() as { text: string; blocks: { text: { type: string; text: string } }[] }[];
      assert.ok(sent, 'Slack got the notice');
      assert.doesNotMatch(sent.text, /[<>]/, 'no Slack markup in the notification text');
      assert.ok(sent.blocks.every((b) => b.text.type === 'plain_text'), 'blocks are plain text');
      const shown = sent.blocks.map((b) => b.text.text).join('\n');
      // The values are shown as written: no placeholder inside them was expanded.
      assert.ok(shown.includes(`Sigma rule by ${author} (DRL 1.1)`), shown);
      assert.ok(shown.includes(description), shown);
      assert.ok(shown.includes(`False positives: ${falsepositive}`), shown);
    }),
    10,
  );
});

test('a pipeline file of the user maps the fields; editing it recompiles; a broken one is reported at its line:col', async () => {
  const T = uniqueBaseTime();
  const event = (at: number, host: string) => processEvent(at, host, 'C:\\Windows\\System32\\whoami.exe', { exe: 'C:\\Windows\\System32\\whoami.exe' });
  const index = await ecsIndex('sigma-pipefile', [event(T - 8 * MIN, 'ws1'), event(T - 2 * MIN, 'ws2')]);
  const project = world.project();
  writeSigma(project.dir, 'whoami.yml', whoamiRule());
  const pipeline = (field: string) => `name: ours\npriority: 10\ntransformations:\n  - id: image\n    type: field_name_mapping\n    mapping:\n      Image: ${field}\n`;
  writeFileSync(join(project.dir, 'sigma', 'ours.yml'), pipeline('no.such.field'));
  project.writeAlert('mapped', { sigma: { rule: '../sigma/whoami.yml', pipeline: '../sigma/ours.yml' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T - 5 * MIN) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(slackTexts(), [], 'the field mapped to is not in the events');
  // Only the pipeline file changes: the next run compiles the rule again and finds the event.
  writeFileSync(join(project.dir, 'sigma', 'ours.yml'), pipeline('exe'));
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['Whoami Run By A Test (high): ws2']);

  writeFileSync(join(project.dir, 'sigma', 'ours.yml'), `${pipeline('exe')}  - id: broken\n    type: no_such_transformation\n`);
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  assert.match(validate.stderr, /^sigma\/ours\.yml:9:\d+: .*no_such_transformation.*alerts\/mapped\.yaml/m);
});

test('a pipeline file whose keys or condition types are Object’s own names (constructor, __proto__, toString) is refused at its line:col', async () => {
  const project = world.project();
  writeSigma(project.dir, 'whoami.yml', whoamiRule());
  writeFileSync(
    join(project.dir, 'sigma', 'odd.yml'),
    [
      'name: odd',
      'transformations:',
      '  - type: field_name_mapping',
      '    mapping: { Image: exe }',
      '    constructor: x',
      '    __proto__: y',
      '    rule_conditions:',
      '      - type: toString',
      '    field_name_conditions:',
      '      - type: include_fields',
      '        fields: [Image]',
      '        hasOwnProperty: z',
      '',
    ].join('\n'),
  );
  project.writeAlert('odd', { sigma: { rule: '../sigma/whoami.yml', pipeline: '../sigma/odd.yml' }, index: 'none', notify: ['soc-slack'] });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  assert.doesNotMatch(validate.stderr, /is not a function|cannot be loaded/);
  assert.match(validate.stderr, /^sigma\/odd\.yml:5:5: .*`constructor` is not a key of a field_name_mapping item/m);
  assert.match(validate.stderr, /^sigma\/odd\.yml:6:5: .*`__proto__` is not a key of a field_name_mapping item/m);
  assert.match(validate.stderr, /^sigma\/odd\.yml:8:\d+: .*`toString` is not a rule condition alertcron supports/m);
  assert.match(validate.stderr, /^sigma\/odd\.yml:12:\d+: .*`hasOwnProperty` is not a key of a include_fields condition/m);
});

test('escape codes and line breaks in rule metadata never reach the terminal: validate\'s problems, alertcron test and run --verbose', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-escapes', [processEvent(T - 20_000, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const project = world.project();
  const hostile = whoamiRule({ author: '"\\e[31mRed Author\\e]0;owned\\a"' }).replace('title: Whoami Run By A Test', 'title: "Who\\e]0;pwned\\a\\e[2J\\nFAKE: alerts/ok.yaml valid"');
  writeSigma(project.dir, 'two.yml', `${hostile}---\n${hostile.replace(/^id: .*$/m, 'id: second')}`);
  project.writeAlert('wrongid', { sigma: { rule: '../sigma/two.yml', pipeline: 'ecs_windows', id: 'nope' }, index, notify: ['soc-slack'], samples: 0 });
  project.writeAlert('hostile', { sigma: { rule: '../sigma/two.yml', pipeline: 'ecs_windows', id: 'second' }, index, notify: ['soc-slack'], samples: 0 });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  assert.match(validate.stderr, /holds no rule with id or name "nope"/);
  project.writeAlert('wrongid', { sigma: { rule: '../sigma/two.yml', pipeline: 'ecs_windows', id: 'nope' }, index, notify: ['soc-slack'], enabled: false });
  const shown = await project.run(['test', 'hostile'], { ALERTCRON_NOW: iso(T) });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /Red Author/);
  const verbose = await project.run(['run', '--verbose', '--dry-run'], { ALERTCRON_NOW: iso(T) });
  assert.match(verbose.stdout, /Red Author/, verbose.stdout);
  for (const out of [validate.stderr, validate.stdout, shown.stdout, verbose.stdout]) {
    assert.doesNotMatch(out, /[\u001b\u0007\u009b]/, out);
    assert.doesNotMatch(out, /^FAKE/m, out);
  }
});

test('a condition nested deeper than 100 (parentheses or not) is a problem at its line:col, not a stack overflow; 100 deep still compiles', async () => {
  const project = world.project();
  const withCondition = (condition: string) => whoamiRule().replace(/^ {2}condition: .*$/m, `  condition: '${condition}'`);
  writeSigma(project.dir, 'parens.yml', withCondition(`${'('.repeat(20_000)}selection${')'.repeat(20_000)}`));
  writeSigma(project.dir, 'nots.yml', withCondition(`${'not '.repeat(20_000)}selection`));
  writeSigma(project.dir, 'deep.yml', withCondition(`${'not ('.repeat(50)}selection${')'.repeat(50)}`));
  for (const name of ['parens', 'nots', 'deep']) project.writeAlert(name, { sigma: { rule: `../sigma/${name}.yml`, pipeline: 'ecs_windows' }, index: 'x', notify: ['soc-slack'] });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  assert.doesNotMatch(validate.stderr, /call stack/);
  assert.match(validate.stderr, /^sigma\/parens\.yml:\d+:\d+: .*nest more than 100 deep.*alerts\/parens\.yaml/m);
  assert.match(validate.stderr, /^sigma\/nots\.yml:\d+:\d+: .*nest more than 100 deep.*alerts\/nots\.yaml/m);
  assert.doesNotMatch(validate.stderr, /deep\.y/);
});

test('a broken rule beside the one an alert names by sigma.id is a warning at its line:col in validate and run; the named rule runs', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-sibling', [processEvent(T - 20_000, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const project = world.project();
  writeSigma(project.dir, 'two.yml', `${whoamiRule()}---\ntitle: Broken\nid: broken-one\nlogsource: {product: windows}\ndetection:\n  selection:\n    Image: x\n  condition: selection and not missing\n`);
  project.writeAlert('uses', { sigma: { rule: '../sigma/two.yml', pipeline: 'ecs_windows', id: '0b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f' }, index, notify: ['soc-slack'], samples: 0 });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stderr, /^sigma\/two\.yml:\d+:\d+: warning: .*missing.*alerts\/uses\.yaml runs another of its rules by sigma\.id/m);
  for (const when of [T, T + 20_000]) {
    // The second run finds the alert as the parse cache kept it: the warning is still given.
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(when) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^warning: sigma\/two\.yml:\d+:\d+: .*missing/m);
  }
  assert.deepEqual(slackTexts().map((t) => t.split('\n')[0]), ['Whoami Run By A Test (high)']);
});
