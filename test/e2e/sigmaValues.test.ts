// Sigma values that once broke a whole run or matched what the rule did not say: a windash value with many dashes is a
// problem at its line:col (not an out-of-memory crash), and keyword searches of a negative number or text with tabs
// match only that value; a long list of values with a `*` inside runs, and what exceeds the engine's clause or regexp
// length limits is refused by validate.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { deleteIndices, uniqueBaseTime } from '../support/seed.js';
import { freshEcsIndex, processEvent, writeSigma } from '../support/sigmaEcs.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const indices: string[] = [];
after(() => deleteIndices(world.esUrl, indices));

/** A fresh ECS-mapped index holding the events, deleted after the tests. */
const ecsIndex = (prefix: string, events: Record<string, unknown>[]) => freshEcsIndex(world.esUrl, prefix, events, indices);

const slackTitles = () => (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks[0]!.text.text.split('\n')[0]!).sort();

/** A process creation rule with the given detection lines (indented under `detection:`). */
function rule(title: string, detection: string[]): string {
  return ['title: ' + title, 'id: 0b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f', 'status: test', 'logsource:', '  category: process_creation', '  product: windows', 'detection:', ...detection, 'level: high', ''].join('\n');
}

test('a windash value with more than 4 dashes is a problem at the value\'s line:col suggesting re, not an out-of-memory crash; 4 dashes still compile', async () => {
  const project = world.project();
  const many = "      - ' -a -b -c -d -e -f -g -h -i -j'";
  const text = rule('Many Dashes', ['  selection:', '    CommandLine|windash|contains:', "      - ' -a '", many, '  condition: selection']);
  writeSigma(project.dir, 'many.yml', text);
  writeSigma(project.dir, 'four.yml', rule('Four Dashes', ['  selection:', "    CommandLine|windash|contains: ' -a -b -c -d'", '  condition: selection']));
  for (const name of ['many', 'four']) project.writeAlert(name, { sigma: { rule: `../sigma/${name}.yml`, pipeline: 'ecs_windows' }, index: 'x', notify: ['soc-slack'] });
  const started = Date.now();
  const validate = await project.run(['validate']);
  assert.ok(Date.now() - started < 20_000, 'validate must not spend its time expanding');
  assert.equal(validate.code, 2, validate.stderr);
  const line = text.split('\n').indexOf(many) + 1;
  assert.match(validate.stderr, new RegExp(`^sigma/many\\.yml:${line}:9: .*'windash' .*5\\^10 alternatives.*at most 4 dashes \\(625 alternatives\\).*'re'.*alerts/many\\.yaml`, 'm'));
  assert.doesNotMatch(validate.stderr, /four\.y|heap/);
});

test('a keyword search of a negative number matches that number, not every event without it', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-negative', [
    { ...processEvent(T - 3 * MIN, 'ws1', 'C:\\x.exe'), process: { executable: 'C:\\x.exe', exit_code: -5 } },
    processEvent(T - 2 * MIN, 'ws2', 'C:\\y.exe'),
    { ...processEvent(T - 2 * MIN, 'ws3', 'C:\\z.exe'), process: { executable: 'C:\\z.exe', exit_code: 5 } },
  ]);
  const project = world.project();
  writeSigma(project.dir, 'negative.yml', rule('Minus Five', ['  keywords:', '    - -5', '  condition: keywords']));
  // pipeline none: ecs_windows turns keyword numbers into text (a regexp), which never had the problem.
  project.writeAlert('negative', { sigma: { rule: '../sigma/negative.yml', pipeline: 'none' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTitles(), ['Minus Five (high): ws1']);
});

test('a keyword search of text with tabs and line breaks matches that text; the tabs are no query operators', async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-tabs', [
    processEvent(T - 3 * MIN, 'ws1', 'C:\\zzz\tOR\tabc.exe'),
    processEvent(T - 2 * MIN, 'ws2', 'C:\\abc.exe'),
    processEvent(T - 2 * MIN, 'ws3', 'C:\\zzz.exe'),
  ]);
  const project = world.project();
  writeSigma(project.dir, 'tabs.yml', rule('Tabs', ['  keywords:', '    - "zzz\\tOR\\tabc"', '  condition: keywords']));
  project.writeAlert('tabs', { sigma: { rule: '../sigma/tabs.yml', pipeline: 'ecs_windows' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTitles(), ['Tabs (high): ws1']);
});

test("a long contains list of values with a '*' inside runs (no regexp the engine cannot build); past the engine's limits validate refuses the rule", async () => {
  const T = uniqueBaseTime();
  const index = await ecsIndex('sigma-inner-star', [processEvent(T - 3 * MIN, 'ws1', 'C:\\x5y-middle-Z5W.exe'), processEvent(T - 2 * MIN, 'ws2', 'C:\\x5y.exe')]);
  const list = (n: number): string[] => Array.from({ length: n }, (_, k) => `      - 'x${k}y*z${k}w'`);
  const project = world.project();
  writeSigma(project.dir, 'seventy.yml', rule('Seventy', ['  selection:', '    CommandLine|contains:', ...list(70), '  condition: selection']));
  project.writeAlert('seventy', { sigma: { rule: '../sigma/seventy.yml', pipeline: 'ecs_windows' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTitles(), ['Seventy (high): ws1']);

  const refused = world.project();
  writeSigma(refused.dir, 'many.yml', rule('Many', ['  selection:', '    CommandLine|contains:', ...list(1100), '  condition: selection']));
  writeSigma(refused.dir, 'long.yml', rule('Long', ['  keywords:', `    - '${'a'.repeat(300)}'`, '  condition: keywords']));
  for (const name of ['many', 'long']) refused.writeAlert(name, { sigma: { rule: `../sigma/${name}.yml`, pipeline: 'ecs_windows' }, index, notify: ['soc-slack'] });
  const validate = await refused.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  assert.match(validate.stderr, /an OR of 1100 clauses .*indices\.query\.bool\.max_clause_count.*alerts\/many\.yaml/);
  assert.match(validate.stderr, /regular expression of 1204 characters.*index\.max_regex_length.*alerts\/long\.yaml/);
});
