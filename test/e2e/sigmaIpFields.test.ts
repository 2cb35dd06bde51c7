// SigmaHQ rules that compare ECS's ip-typed fields (source.ip, destination.ip) with text: '-', `contains: '-'`,
// `127.*` and hex patterns. On an ip field the engine refuses a term of '-' and every prefix or wildcard query, which
// failed the whole search on every run; with the ecs_windows_audit profile's field types they run and alert.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';
import { createIndex, deleteIndices, indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const indices: string[] = [];
after(() => deleteIndices(world.esUrl, indices));

const RULES = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'rules', 'rules', 'windows', 'builtin');
const FIXTURES = {
  rdp: join(RULES, 'security', 'account_management', 'win_security_successful_external_remote_rdp_login.yml'),
  smb: join(RULES, 'security', 'account_management', 'win_security_successful_external_remote_smb_login.yml'),
  failed: join(RULES, 'security', 'account_management', 'win_security_susp_failed_logon_source.yml'),
  tunnel: join(RULES, 'security', 'win_security_rdp_reverse_tunnel.yml'),
  share: join(RULES, 'smbserver', 'connectivity', 'win_smbserver_connectivity_unsigned_and_unencrypted_share_connection.yml'),
};

/** A Windows event as Winlogbeat ships it in ECS. */
function event(at: number, host: string, code: string, fields: Record<string, unknown>, channel = 'Security'): Record<string, unknown> {
  return { '@timestamp': new Date(at).toISOString(), host: { name: host }, event: { code }, ...fields, winlog: { channel, ...(fields.winlog as object | undefined) } };
}

test('SigmaHQ rules comparing source.ip / destination.ip with text run on an index that maps them as ip, and alert on what they mean', async () => {
  const T = uniqueBaseTime();
  const index = `sigma-ip-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  await createIndex(world.esUrl, index, { source: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } }, destination: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } } });
  const at = T - 2 * MIN;
  await indexDocs(world.esUrl, index, [
    event(at, 'rdp-external', '4624', { winlog: { event_data: { LogonType: '10' } }, source: { ip: '203.0.113.7' } }),
    event(at, 'rdp-internal', '4624', { winlog: { event_data: { LogonType: '10' } }, source: { ip: '10.1.1.1' } }),
    event(at, 'smb-external', '4624', { winlog: { event_data: { LogonType: '3' } }, source: { ip: '2001:db8::7' } }),
    event(at, 'smb-internal', '4624', { winlog: { event_data: { LogonType: '3' } }, source: { ip: 'fe80::1' } }),
    event(at, 'failed-external', '4625', { source: { ip: '198.51.100.9' } }),
    event(at, 'failed-internal', '4625', { source: { ip: '192.168.1.1' } }),
    event(at, 'tunnel', '5156', { source: { ip: '10.0.0.5', port: 3389 }, destination: { ip: '127.0.0.1', port: 50000 } }),
    event(at, 'no-tunnel', '5156', { source: { ip: '10.0.0.5', port: 3389 }, destination: { ip: '10.0.0.6', port: 50000 } }),
    event(at, 'share-external', '4000', { winlog: { event_data: { ShareName: '\\\\*\\IPC$', SigningUsed: 'false' } }, source: { ip: '203.0.113.8' } }, 'Microsoft-Windows-SMBServer/Connectivity'),
    event(at, 'share-loopback', '4000', { winlog: { event_data: { ShareName: '\\\\*\\IPC$', SigningUsed: 'false' } }, source: { ip: '127.0.0.1' } }, 'Microsoft-Windows-SMBServer/Connectivity'),
  ]);
  const project = world.project();
  mkdirSync(join(project.dir, 'sigma'), { recursive: true });
  for (const [name, file] of Object.entries(FIXTURES)) {
    writeFileSync(join(project.dir, 'sigma', `${name}.yml`), readFileSync(file));
    project.writeAlert(name, { sigma: { rule: `../sigma/${name}.yml`, pipeline: 'ecs_windows_audit' }, index, group_by: 'host.name', notify: ['soc-slack'], samples: 0 });
  }
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /IP string literal|Can only use/);
  const hosts = (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks[0]!.text.text.split('\n')[0]!.replace(/^.*: /, '')).sort();
  assert.deepEqual(hosts, ['failed-external', 'rdp-external', 'share-external', 'smb-external', 'tunnel']);
});

test("validate --cluster warns of text compared with a field the mapping types ip; a pipeline file's field_types declares it and the warning goes", async () => {
  const index = `sigma-ipv-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  await createIndex(world.esUrl, index, { src_addr: { type: 'ip' }, event: { properties: { code: { type: 'keyword' } } } });
  const project = world.project();
  mkdirSync(join(project.dir, 'sigma'), { recursive: true });
  writeFileSync(join(project.dir, 'sigma', 'rdp.yml'), readFileSync(FIXTURES.rdp));
  const pipeline = (types: string) => `name: mine\ntransformations:\n  - type: field_name_mapping\n    mapping: {IpAddress: src_addr, EventID: event.code}\n${types}`;
  writeFileSync(join(project.dir, 'sigma', 'fields.yml'), pipeline(''));
  project.writeAlert('rdp', { sigma: { rule: '../sigma/rdp.yml', pipeline: '../sigma/fields.yml' }, index, notify: ['soc-slack'] });
  const warned = await project.run(['validate', '--cluster']);
  assert.match(warned.stderr, /^alerts\/rdp\.yaml:\d+:\d+ \/sigma: the Sigma query compares field "src_addr" \(term "-"\) with text, but it is an ip field in the indices matching .*declare it in the pipeline's field_types \(e\.g\. field_types: \{src_addr: ip\}\)/m);
  writeFileSync(join(project.dir, 'sigma', 'fields.yml'), pipeline('field_types:\n  src_addr: ip\n'));
  const declared = await project.run(['validate', '--cluster']);
  assert.doesNotMatch(declared.stderr, /ip field/);
  writeFileSync(join(project.dir, 'sigma', 'fields.yml'), pipeline('field_types:\n  src_addr: ipv4\n'));
  const wrong = await project.run(['validate']);
  assert.match(wrong.stderr, /sigma\/fields\.yml:\d+:\d+: .*field_types\.src_addr: must be ip/);
});
