// `alertcron import sigma` writes one alert per rule of a folder (never over a file, refusing what does not compile
// with its reason), the alerts run as written; `validate --cluster` names the fields a Sigma rule reads that the
// index mapping lacks; `alertcron test` shows the compiled query.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';
import { deleteIndices, indexDocs, uniqueBaseTime } from '../support/seed.js';
import { ecsIndexWith, processEvent } from '../support/sigmaEcs.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const indices: string[] = [];
after(() => deleteIndices(world.esUrl, indices));

const slackTitles = () => (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks[0]!.text.text.split('\n')[0]!);

/** A small Sigma rule (written for these tests) on the process image, with the given title, id and image suffix. */
function rule(title: string, id: string, image: string, level = 'medium'): string {
  return `title: ${title}\nid: ${id}\nstatus: test\nauthor: Test Author\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '${image}'\n  condition: selection\nlevel: ${level}\n`;
}

function writeRules(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

test('import sigma converts a folder (subfolders too), refuses what does not compile, never writes over a file; the alerts run', async () => {
  const T = uniqueBaseTime();
  const index = `sigma-import-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  await ecsIndexWith(world.esUrl, index, [processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\whoami.exe'), processEvent(T - 2 * MIN, 'ws1', 'C:\\Windows\\System32\\NET.EXE')]);
  const project = world.project();
  writeRules(project.dir, {
    'rules/windows/whoami.yml': rule('Whoami', '11111111-1111-4111-8111-111111111111', '\\whoami.exe'),
    'rules/windows/more/net.yml': rule('Net', '22222222-2222-4222-8222-222222222222', '\\net.exe'),
    'rules/broken.yml': 'title: Broken\nlogsource: {product: windows}\ndetection:\n  selection:\n    Image: x\n  condition: selection and not missing\n',
    'rules/README.md': 'not a rule',
  });
  writeFileSync(join(project.dir, 'alerts', 'net.yaml'), '# mine\n');
  const imported = await project.run(['import', 'sigma', 'rules', '--pipeline', 'ecs_windows', '--index', index, '--out', 'alerts', '--notify', 'soc-slack']);
  assert.equal(imported.code, 2, imported.stderr);
  assert.match(imported.stdout, /alerts\/whoami\.yaml {2}<- rules\/windows\/whoami\.yml \(Whoami\)/);
  assert.match(imported.stdout, /kept \(already there, not written over\):\n {2}alerts\/net\.yaml/);
  assert.match(imported.stderr, /^import: rules\/broken\.yml:\d+:\d+: .*missing/m);
  assert.deepEqual(readdirSync(join(project.dir, 'alerts')).sort(), ['net.yaml', 'whoami.yaml']);
  assert.equal(readFileSync(join(project.dir, 'alerts', 'net.yaml'), 'utf8'), '# mine\n');
  assert.match(readFileSync(join(project.dir, 'alerts', 'whoami.yaml'), 'utf8'), /rule: \.\.\/rules\/windows\/whoami\.yml/);

  writeFileSync(join(project.dir, 'alerts', 'net.yaml'), readFileSync(join(project.dir, 'alerts', 'whoami.yaml'), 'utf8').replace('windows/whoami.yml', 'windows/more/net.yml'));
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(slackTitles().sort(), ['Net (medium)', 'Whoami (medium)']);
});

test('validate --cluster names the fields a Sigma rule reads that the mapping lacks; alertcron test shows the compiled query', async () => {
  const T = uniqueBaseTime();
  // A plain index (strings are keywords, no .caseless sub-fields) and an ECS-mapped one.
  const plain = await world.index('sigma-plain');
  await indexDocs(world.esUrl, plain, [processEvent(T, 'ws1', 'C:\\x.exe')]);
  const ecs = `sigma-ecs-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(ecs);
  await ecsIndexWith(world.esUrl, ecs, [processEvent(T, 'ws1', 'C:\\x.exe')]);
  const project = world.project();
  writeRules(project.dir, {
    'sigma/image.yml': rule('Image', '33333333-3333-4333-8333-333333333333', '\\whoami.exe'),
    'sigma/user.yml': 'title: User\nid: 44444444-4444-4444-8444-444444444444\nauthor: T\nlogsource: {product: windows}\ndetection:\n  selection:\n    User: admin\n    CommandLine|contains: secret\n  condition: selection\nlevel: low\n',
  });
  project.writeAlert('image-ecs', { sigma: { rule: '../sigma/image.yml', pipeline: 'ecs_windows' }, index: ecs, notify: ['soc-slack'] });
  project.writeAlert('image-plain', { sigma: { rule: '../sigma/image.yml', pipeline: 'ecs_windows' }, index: plain, notify: ['soc-slack'] });
  project.writeAlert('user', { sigma: { rule: '../sigma/user.yml', pipeline: 'none' }, index: ecs, notify: ['soc-slack'] });
  const result = await project.run(['validate', '--cluster']);
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 3, result.stderr);
  assert.match(lines[0]!, new RegExp(`^alerts/image-plain\\.yaml:\\d+:\\d+ /sigma: the Sigma rule reads field "process\\.executable\\.caseless", not in the mapping of the indices matching "${plain}": a \\.caseless field exists only with the ECS mapping`));
  assert.match(lines[1]!, new RegExp(`^alerts/user\\.yaml:\\d+:\\d+ /sigma: the Sigma rule reads fields "User", "CommandLine", not in the mapping of the indices matching "${ecs}": the pipeline maps`));

  const shown = await project.run(['test', 'image-ecs', '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /"process\.executable\.caseless"/);
});

test('import sigma on the SigmaHQ fixture corpus: every rule converted or refused with pySigma\'s reason; a converted rule fires on its event, naming its author', async () => {
  const T = uniqueBaseTime();
  const index = `sigma-corpus-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  // The event WhoAmI as Parameter (proc_creation_win_susp_whoami_as_param.yml) describes, as Winlogbeat ships it.
  await ecsIndexWith(world.esUrl, index, [processEvent(T - 2 * MIN, 'ws9', 'C:\\Users\\x\\EfsPotato.exe', { process: { executable: 'C:\\Users\\x\\EfsPotato.exe', command_line: 'EfsPotato.EXE WhoAmI /priv' } })]);
  const project = world.project();
  const corpus = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'rules');
  const ruleFiles = readdirSync(corpus, { recursive: true }).filter((f) => String(f).endsWith('.yml')).length;
  const imported = await project.run(['import', 'sigma', corpus, '--pipeline', 'ecs_windows', '--index', index, '--out', 'alerts', '--notify', 'soc-slack', '--json']);
  assert.equal(imported.code, 2, imported.stderr);
  const report = JSON.parse(imported.stdout) as { converted: unknown[]; refused: { where: string; message: string }[]; kept: unknown[] };
  assert.equal(report.converted.length + report.refused.length, ruleFiles, imported.stdout);
  assert.ok(report.converted.length >= ruleFiles * 0.95, `${report.converted.length} of ${ruleFiles} converted`);
  for (const r of report.refused) assert.match(r.message, /field references|unhandled placeholder/, r.where);
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  // The one rule whose event is indexed runs (the 240-odd others would only search an empty window of this index).
  const run = await project.run(['run', '--only', 'proc_creation_win_susp_whoami_as_param'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  const texts = (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks.map((b) => b.text.text).join('\n'));
  const whoami = texts.find((t) => t.startsWith('WhoAmI as Parameter (high)'));
  assert.ok(whoami, texts.map((t) => t.split('\n')[0]).join('\n'));
  assert.match(whoami, /^Sigma rule by Florian Roth \(Nextron Systems\) \(DRL 1\.1\)$/m);
  assert.match(whoami, /^ATT&CK: T1033$/m);
});

test('import sigma: a rule\'s id never leads its alert file out of --out nor aborts the import; a broken rule among several is refused; the project\'s defaults.sigma compiles the rules', async () => {
  const project = world.project();
  const many = ['../../../escaped', 'a/b', 'with space'].map((id, i) => rule(`R${i}`, id, `\\r${i}.exe`)).join('---\n');
  writeRules(project.dir, {
    'rules/many.yml': `${many}---\ntitle: Broken\nid: broken-one\nlogsource: {product: windows}\ndetection:\n  selection:\n    Image: x\n  condition: selection and not missing\n`,
  });
  const imported = await project.run(['import', 'sigma', 'rules', '--pipeline', 'ecs_windows', '--index', 'x', '--out', 'alerts', '--notify', 'soc-slack']);
  assert.equal(imported.code, 2, imported.stderr);
  assert.doesNotMatch(imported.stderr, /ENOENT|at .*\.js/);
  assert.match(imported.stderr, /^import: rules\/many\.yml:\d+:\d+: .*missing/m);
  assert.equal(imported.stderr.trim().split('\n').length, 1, imported.stderr);
  assert.deepEqual(readdirSync(join(project.dir, 'alerts')).sort(), ['many-.._.._.._escaped.yaml', 'many-a_b.yaml', 'many-with_space.yaml']);
  assert.deepEqual(readdirSync(project.dir).filter((f) => f.includes('escaped')), []);
  assert.deepEqual(readdirSync(join(project.dir, '..')).filter((f) => f.includes('escaped')), []);
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);

  // Without --pipeline the rules are compiled as the run will compile them: with defaults.sigma.pipeline.
  const other = world.project({ extraConfig: { defaults: { first_lookback: '10m', ingest_delay: '0s', sigma: { pipeline: 'refuse.yml' } } } });
  writeRules(other.dir, { 'rules/one.yml': rule('One', 'one', '\\one.exe'), 'refuse.yml': 'name: refuse\npriority: 10\ntransformations:\n  - id: no\n    type: rule_failure\n    message: the project pipeline refuses every rule\n' });
  const second = await other.run(['import', 'sigma', 'rules', '--index', 'x', '--out', 'alerts', '--notify', 'soc-slack']);
  assert.equal(second.code, 2, second.stdout);
  assert.match(second.stderr, /the project pipeline refuses every rule/);
});

test('import sigma --config compiles the rules with that file\'s defaults.sigma; a config that cannot be read is named on stderr, not dropped silently', async () => {
  const project = world.project({ extraConfig: { defaults: { first_lookback: '10m', ingest_delay: '0s', sigma: { pipeline: 'refuse.yml' } } } });
  writeRules(project.dir, { 'rules/one.yml': rule('One', 'one', '\\one.exe'), 'refuse.yml': 'name: refuse\npriority: 10\ntransformations:\n  - id: no\n    type: rule_failure\n    message: the project pipeline refuses every rule\n' });
  renameSync(join(project.dir, 'alertcron.yaml'), join(project.dir, 'site.yaml'));
  const withConfig = await project.run(['import', 'sigma', 'rules', '--config', 'site.yaml', '--index', 'x', '--out', 'alerts', '--notify', 'soc-slack']);
  assert.equal(withConfig.code, 2, withConfig.stdout);
  assert.match(withConfig.stderr, /the project pipeline refuses every rule/);

  // A broken alertcron.yaml (looked up as run and validate do): one warning line naming the file, the rule compiled without it.
  writeFileSync(join(project.dir, 'alertcron.yaml'), 'defaults:\n  sigma:\n    pipeline: [unclosed\n');
  const broken = await project.run(['import', 'sigma', 'rules', '--index', 'x', '--out', 'out2', '--notify', 'soc-slack']);
  assert.equal(broken.code, 0, broken.stderr);
  const lines = broken.stderr.trim().split('\n');
  assert.equal(lines.length, 1, broken.stderr);
  assert.match(lines[0]!, /^import: warning: alertcron\.yaml:\d+.*defaults\.sigma/);
});
