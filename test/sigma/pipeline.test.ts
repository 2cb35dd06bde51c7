// Pipelines against pySigma: every fixture rule through each shipped ECS profile, user pipeline files of every
// supported transformation type, merging by priority, the field list and correlation fields (mapFieldName), and errors.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyPipeline, mapFieldName } from '../../src/sigma/pipeline/applyPipeline.js';
import { loadPipeline } from '../../src/sigma/pipeline/loadPipeline.js';
import type { SigmaPipeline } from '../../src/sigma/pipeline/types.js';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import type { SigmaMatch, SigmaNode, SigmaRule } from '../../src/sigma/types.js';
import { bareTree, orFlat, runPipelineOracle } from '../support/pipelineOracle.js';
import { runPySigma } from '../support/pySigma.js';
import { REPO_ROOT } from '../support/project.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'sigma');
const PIPELINES = join(FIXTURES, 'pipelines');

function ymlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? ymlFiles(path) : name.endsWith('.yml') ? [path] : [];
  });
}

/** The fixture rules: the SigmaHQ corpus (test/fixtures/sigma/rules) and the pipeline tests' own Windows rules. */
const RULE_FILES = [...ymlFiles(join(FIXTURES, 'rules')), ...ymlFiles(join(PIPELINES, 'rules'))];

/**
 * pySigma's tree with the detections a pipeline emptied taken out: pySigma leaves a None where drop_detection_item
 * emptied a detection and its backend skips it; an AND or OR left with one child by that is that child.
 */
function pruned(node: unknown): unknown {
  const n = node as { type: string; class?: string; items?: unknown[]; item?: unknown };
  if (n.type === 'not') return { type: 'not', item: pruned(n.item) };
  if (n.type !== 'and' && n.type !== 'or') return node;
  const items = n.items!.filter((child) => (child as { class?: string }).class !== 'NoneType').map(pruned);
  return items.length === 1 && n.items!.length > 1 ? items[0] : { type: n.type, items };
}

/**
 * What a refusal is about: a pipeline's rule_failure or detection_item_failure (pySigma's SigmaTransformationError,
 * ours naming the pipeline item) by its message, else the Sigma feature the reason names, else the whole reason.
 */
function refusalKind(message: string): string {
  const failure = /^SigmaTransformationError: ([^]*)$/.exec(message) ?? /^([^]*) \(pipeline item [^)]*\)$/.exec(message);
  if (failure) return `failure: ${failure[1]!.trim()}`;
  const feature = ['fieldref', 'placeholder', 'expand', 'base64', 'cidr', 'regular expression', 'regex', 'wildcard', 'null'].find((word) => message.toLowerCase().includes(word));
  return feature === undefined ? `other: ${message}` : `feature: ${feature === 'regular expression' ? 'regex' : feature}`;
}

function pipelineOf(specs: string | string[], baseDir = PIPELINES): SigmaPipeline {
  const loaded = loadPipeline(specs, baseDir);
  if ('problems' in loaded) assert.fail(JSON.stringify(loaded.problems));
  return loaded.pipeline;
}

/** Compares our pipeline on every rule of the files with pySigma's; returns how many rules agreed (and checks none differs). */
async function compareWithPySigma(files: string[], ours: SigmaPipeline, theirs: string[], shape: (tree: unknown) => unknown = (tree) => tree): Promise<{ same: number; refusedBoth: number }> {
  const answers = await runPySigma({ files, pipelines: theirs, mode: 'tree' });
  let same = 0;
  let refusedBoth = 0;
  const differ: string[] = [];
  for (const file of files) {
    const rules = parseSigma(readFileSync(file, 'utf8')).documents.filter((d): d is SigmaRule => d.kind === 'rule');
    const entries = answers[file] ?? [];
    // A rule our parser refuses (fieldref, expand) is the parser's business: compare the files whose rules both read.
    if (rules.length !== entries.length) continue;
    rules.forEach((rule, i) => {
      const entry = entries[i]!;
      let got: unknown;
      let error: string | undefined;
      try {
        got = bareTree(applyPipeline(ours, rule).condition);
      } catch (e) {
        error = (e as Error).message;
      }
      if (entry.error !== undefined || error !== undefined) {
        if (entry.error !== undefined && error !== undefined) {
          // Both refuse: for the same reason (a pipeline's failure message, or the feature named), else they differ.
          if (refusalKind(entry.error) === refusalKind(error)) refusedBoth++;
          else differ.push(`${file} #${i}: both refuse, pySigma (${refusalKind(entry.error)}): ${entry.error}; ours (${refusalKind(error)}): ${error}`);
        }
        else differ.push(`${file} #${i}: pySigma ${entry.error ?? 'converts it'}, ours ${error ?? 'converts it'}`);
        return;
      }
      try {
        assert.deepStrictEqual(shape(got), shape(pruned(entry.tree)));
        same++;
      } catch {
        differ.push(`${file} #${i}: ours ${JSON.stringify(got).slice(0, 400)}\npySigma ${JSON.stringify(pruned(entry.tree)).slice(0, 400)}`);
      }
    });
  }
  assert.deepEqual(differ, [], `${differ.length} rule(s) differ from pySigma:\n${differ.slice(0, 5).join('\n')}`);
  return { same, refusedBoth };
}

test('ecs_windows gives pySigma’s tree of `-p sysmon -p ecs_windows` (backend 2.1.1, .caseless fields) for every fixture rule', async () => {
  const { same } = await compareWithPySigma(RULE_FILES, pipelineOf('ecs_windows'), ['sysmon', 'ecs_windows']);
  assert.ok(same >= 240, `only ${same} rules compared`);
});

test('ecs_windows_audit gives pySigma’s tree of `-p windows-audit -p ecs_windows`, refusing what windows-audit refuses', async () => {
  const { same } = await compareWithPySigma(RULE_FILES, pipelineOf('ecs_windows_audit'), ['windows-audit', 'ecs_windows']);
  assert.ok(same >= 240, `only ${same} rules compared`);
});

test('sysmon alone gives pySigma’s `-p sysmon` tree (an EventID condition per category, no field names changed)', async () => {
  const { same } = await compareWithPySigma(RULE_FILES, pipelineOf('sysmon'), ['sysmon']);
  assert.ok(same >= 240, `only ${same} rules compared`);
});

test('user pipeline files (the research’s mini example, the regression JSON pipeline, every transformation type, failures) give pySigma’s tree for the same file', async () => {
  for (const name of ['mini.yml', 'evtx_json.yml', 'types.yml', 'failure.yml']) {
    const file = join(PIPELINES, name);
    // types.yml maps Image to two fields: a rule with `Image|...|all` keeps its values together in each field.
    const { same, refusedBoth } = await compareWithPySigma(RULE_FILES, pipelineOf(name), [file], name === 'types.yml' ? orFlat : undefined);
    assert.ok(same >= 200, `${name}: only ${same} rules compared`);
    if (name === 'failure.yml') assert.ok(refusedBoth >= 2, `failure.yml refused only ${refusedBoth} rules`);
  }
  // A shipped name and a file together: sysmon (priority 10) runs before the file (20), as pySigma's resolver orders them.
  const { same } = await compareWithPySigma(ymlFiles(join(PIPELINES, 'rules')), pipelineOf(['evtx_json.yml', 'sysmon']), ['sysmon', join(PIPELINES, 'evtx_json.yml')]);
  assert.ok(same >= 6);
});

test('pipelines of equal priority run in pySigma’s (priority, spec) order; two files of one name are two pipelines; a shipped name and a file of equal priority sort by spec', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-order-'));
  const mapping = (priority: number | undefined, from: string, to: string) =>
    `${priority === undefined ? '' : `priority: ${priority}\n`}transformations:\n  - type: field_name_mapping\n    mapping:\n      ${from}: ${to}\n`;
  mkdirSync(join(dir, 'windows'));
  mkdirSync(join(dir, 'linux'));
  writeFileSync(join(dir, 'z1.yml'), mapping(0, 'CommandLine', 'X'));
  writeFileSync(join(dir, 'a1.yml'), mapping(0, 'CommandLine', 'Y'));
  writeFileSync(join(dir, 'windows', 'fields.yml'), mapping(undefined, 'CommandLine', 'W'));
  writeFileSync(join(dir, 'linux', 'fields.yml'), mapping(undefined, 'Image', 'L'));
  writeFileSync(join(dir, 'mine.yml'), mapping(10, 'EventID', 'evid'));
  const rules = ymlFiles(join(PIPELINES, 'rules'));
  for (const specs of [['z1.yml', 'a1.yml'], ['windows/fields.yml', 'linux/fields.yml'], ['sysmon', 'mine.yml']]) {
    const { same } = await compareWithPySigma(rules, pipelineOf(specs, dir), specs.map((s) => (s.endsWith('.yml') ? join(dir, s) : s)));
    assert.ok(same >= 6, `${specs.join(', ')}: only ${same} rules compared`);
  }
  // The same shipped definition (sysmon inside ecs_windows, and alone) or the same file twice still runs once.
  assert.deepEqual(pipelineOf(['ecs_windows', 'sysmon', 'z1.yml', './z1.yml'], dir).names, ['z1', 'sysmon', 'ecs_windows']);
});

test('a rule both refuse counts as agreeing only when the reasons are the same: a different failure message is a difference', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-refusal-'));
  const other = join(dir, 'failure.yml');
  writeFileSync(other, readFileSync(join(PIPELINES, 'failure.yml'), 'utf8').replace('registry rules are not collected here', 'no registry here'));
  await assert.rejects(compareWithPySigma(RULE_FILES, pipelineOf('failure.yml'), [other]), /both refuse, pySigma \(failure: no registry here\)/);
  assert.equal(refusalKind('SigmaTransformationError: x y'), refusalKind('x y (pipeline item id_1)'));
  assert.notEqual(refusalKind('cannot resolve placeholder %admins%'), refusalKind('fieldref is not supported'));
});

test('the research’s mini pipeline turns the whoami selection into the query its notes show', () => {
  const rule = parseSigma(
    'title: t\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    Image|endswith: \'\\whoami.exe\'\n    EventID: 1\n    User|contains: SYSTEM\n  condition: sel\n',
  ).documents[0] as SigmaRule;
  const out = applyPipeline(pipelineOf('mini.yml'), rule).condition;
  const s = (text: string) => ({ type: 'string', parts: [text] });
  assert.deepEqual(bareTree(out), {
    type: 'and',
    items: [
      { type: 'match', field: 'winlog.channel', value: s('Microsoft-Windows-Sysmon/Operational') },
      {
        type: 'and',
        items: [
          { type: 'match', field: 'process.executable', value: { type: 'string', parts: [{ wildcard: '*' }, '\\whoami.exe'] } },
          { type: 'match', field: 'event.code', value: s('1') },
          { type: 'match', field: 'winlog.event_data.User', value: { type: 'string', parts: [{ wildcard: '*' }, 'SYSTEM', { wildcard: '*' }] } },
        ],
      },
    ],
  });
  // Each leaf names the items that changed it (what processing_item_applied conditions read).
  const leaves = ((out as { items: SigmaNode[] }).items[1] as { items: SigmaMatch[] }).items;
  assert.deepEqual(leaves.map((leaf) => leaf.applied), [['proc_fields'], ['proc_fields', 'codes_as_strings'], ['rest']]);
  assert.deepEqual(((out as { items: SigmaMatch[] }).items[0]!).applied, ['channel']);
});

test('pipelines merge by priority, lowest first, then by spec (as pySigma), whatever the order written; a pipeline named twice runs once', () => {
  assert.deepEqual(pipelineOf(['types.yml', 'ecs_windows']).names, ['sysmon', 'ecs_windows', 'every_type']);
  assert.deepEqual(pipelineOf(['mini.yml', 'evtx_json.yml']).names, ['evtx_json_raw', 'my_winlogbeat']);
  assert.deepEqual(pipelineOf(['evtx_json.yml', 'mini.yml']).names, ['evtx_json_raw', 'my_winlogbeat']);
  assert.deepEqual(pipelineOf(['sysmon', 'ecs_windows']).names, ['sysmon', 'ecs_windows']);
  assert.deepEqual(pipelineOf('none').items, []);
  const loaded = loadPipeline(['mini.yml', 'ecs_windows'], PIPELINES);
  assert.ok(!('problems' in loaded));
  assert.deepEqual(loaded.inputs, [join(PIPELINES, 'mini.yml')], 'the files read, absolute; shipped names read none');
});

test('a modifier’s expansion (windash) stays an OR marked as an expansion after the pipeline, even of one value', () => {
  const leaf = (value: string): SigmaNode => ({ type: 'match', field: 'CommandLine', value: { type: 'string', parts: [{ wildcard: '*' }, value, { wildcard: '*' }] } });
  const expansion = { type: 'or', items: [leaf('-s'), leaf('/s')], expansion: true } as SigmaNode;
  const rule: SigmaRule = { kind: 'rule', meta: { title: 't', tags: [], falsepositives: [], references: [] }, logsource: { category: 'process_creation', product: 'windows' }, condition: { type: 'or', items: [expansion, leaf('x')] }, fields: [], line: 1 };
  const out = applyPipeline(pipelineOf('ecs_windows'), rule).condition as { type: 'and'; items: SigmaNode[] };
  const body = (out.items[1] as { items: SigmaNode[] }).items[1] as { type: 'or'; items: (SigmaNode & { expansion?: true })[] };
  assert.equal(body.type, 'or');
  assert.equal(body.items[0]!.expansion, true);
  assert.deepEqual((body.items[0] as { items: { field: string }[] }).items.map((l) => l.field), ['process.command_line', 'process.command_line']);
});

test('the rule’s fields and a correlation’s fields (mapFieldName) map as pySigma maps the field list', async () => {
  const names = ['Image', 'CommandLine', 'User', 'ParentImage', 'TargetObject', 'DestinationIp', 'SubjectUserName', 'Foo', 'winlog.channel', 'EventID'];
  const cases = ['process_creation', 'registry_set', 'network_connection'].flatMap((category) =>
    [['ecs_windows', ['sysmon', 'ecs_windows']], ['ecs_windows_audit', ['windows-audit', 'ecs_windows']], ['opensearch_sa', []]].map(([ours, theirs]) => ({
      category,
      ours: ours as string,
      rule: `title: t\nlogsource: {category: ${category}, product: windows}\ndetection:\n  sel: {Image: a}\n  condition: sel\nfields: [${names.join(', ')}]\n`,
      pipelines: theirs as string[],
    })),
  );
  const answers = await runPipelineOracle(cases.map((c) => ({ rule: c.rule, pipelines: c.pipelines })));
  cases.forEach((c, i) => {
    const rule = parseSigma(c.rule).documents[0] as SigmaRule;
    const pipeline = pipelineOf(c.ours);
    if (c.ours === 'opensearch_sa') {
      // Security Analytics' mapping (not in pySigma): its raw field names to its ECS fields, others unchanged.
      assert.deepEqual(applyPipeline(pipeline, rule).fields.slice(0, 3), ['winlog.event_data.Image', 'process.command_line', 'winlog.user.name']);
      assert.deepEqual(mapFieldName(pipeline, rule, 'Foo'), ['Foo']);
      return;
    }
    assert.deepEqual(applyPipeline(pipeline, rule).fields, answers[i]!.fields, `${c.ours} ${c.category}`);
    assert.deepEqual(names.flatMap((name) => mapFieldName(pipeline, rule, name)), answers[i]!.fields, `${c.ours} ${c.category} mapFieldName`);
  });
});

test('a pipeline file’s mistakes are problems at file:line:col naming what is supported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-pipeline-'));
  writeFileSync(
    join(dir, 'bad.yml'),
    [
      'name: bad',
      'priority: high',
      'transformations:',
      '  - id: one',
      '    type: field_name_mappings',
      '    mapping: { a: b }',
      '  - type: field_name_prefix',
      '    rule_conditions:',
      '      - type: logsorce',
      '        product: windows',
      '  - type: add_condition',
      '    conditions: { a: [1, {b: 2}] }',
      '  - type: replace_string',
      "    regex: '(unclosed'",
      '    replacement: x',
      '    field_name_conditions: [ { type: include_fields, fields: [a], mode: glob } ]',
      '  - type: map_string',
      '    mapping: { a: b }',
      '    detection_item_cond_expr: a and not',
      '    detection_item_conditions: { a: { type: is_null, cond: any } }',
      'extra: 1',
    ].join('\n'),
  );
  const loaded = loadPipeline('bad.yml', dir);
  assert.ok('problems' in loaded);
  const lines = loaded.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  const file = loaded.problems[0]!.file;
  assert.equal(file, join(dir, 'bad.yml'));
  const has = (pattern: RegExp) => assert.ok(lines.some((line) => pattern.test(line)), `${pattern} not in:\n${lines.join('\n')}`);
  has(/^2:11 priority: must be a whole number/);
  has(/^5:11 transformations\.0\.type: `field_name_mappings` is not a transformation alertcron supports \(did you mean `field_name_mapping`\?\); supported: field_name_mapping, field_name_prefix, .*drop_detection_item/);
  has(/^7:5 transformations\.1: a field_name_prefix item needs `prefix:`/);
  has(/^9:15 transformations\.1\.rule_conditions\.0\.type: `logsorce` is not a rule condition alertcron supports \(did you mean `logsource`\?\); supported: logsource, contains_field/);
  has(/^12:17 transformations\.2\.conditions: must be a mapping from a field to a value or a list of values/);
  has(/^14:12 transformations\.3\.regex: is not a valid regular expression/);
  has(/^16:73 transformations\.3\.field_name_conditions\.0\.mode: must be one of plain, re/);
  has(/^19:31 transformations\.4\.detection_item_cond_expr: ends too early/);
  has(/^21:1 extra: `extra` is not a pipeline key alertcron knows; known: name, priority, transformations/);

  writeFileSync(join(dir, 'broken.yml'), 'transformations:\n  - type: [\n');
  const broken = loadPipeline(['broken.yml'], dir);
  assert.ok('problems' in broken && broken.problems[0]!.line! >= 2 && /is not valid YAML/.test(broken.problems[0]!.message));

  const missing = loadPipeline(['ecs_windows', 'nowhere.yml'], dir);
  assert.ok('problems' in missing);
  assert.match(missing.problems[0]!.message, /pipeline file not found/);
  assert.equal(missing.problems[0]!.file, join(dir, 'nowhere.yml'));

  const unknown = loadPipeline('ecs_window', dir);
  assert.ok('problems' in unknown);
  assert.equal(unknown.problems[0]!.message, 'is not a shipped pipeline (did you mean ecs_windows?): shipped are ecs_windows, ecs_windows_audit, opensearch_sa, sysmon, none; a pipeline file needs a .yml or .yaml name');
});

test('a pipeline file whose name or type is a mapping with a toString or valueOf key is a problem, not a crash (property seed 282072078)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-pipeline-'));
  writeFileSync(
    join(dir, 'odd.yml'),
    [
      'name: { toString: "" }',
      'transformations:',
      '  - type: { toString: "" }',
      '  - type: field_name_prefix',
      '    prefix: x',
      '    rule_conditions:',
      '      - type: { valueOf: 1, toString: 2 }',
    ].join('\n'),
  );
  const loaded = loadPipeline('odd.yml', dir);
  assert.ok('problems' in loaded);
  const lines = loaded.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.equal(lines[0], '1:7 name: must be a string');
  assert.match(lines[1]!, /^3:11 transformations\.0\.type: `\{"toString":""\}` is not a transformation alertcron supports; supported: field_name_mapping, /);
  assert.match(lines[2]!, /^7:15 transformations\.1\.rule_conditions\.0\.type: `\{"valueOf":1,"toString":2\}` is not a rule condition alertcron supports; supported: logsource, /);
});
