import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { filesUnder } from '../support/files.js';
import { runCli } from '../support/project.js';
import { checkProperty } from '../support/property.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary working folder with an empty rules/ folder and, beside it, a secrets/ folder outside the rules. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-safety-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  mkdirSync(join(dir, 'secrets'));
  return dir;
}

/** A shadow file's lines: each `name:hash:...` reads as a YAML key, which the importer once printed as "not converted". */
const SHADOW = ['root:$6$saltsalt$ROOTHASHabcdefghijklmnop:19000:0:99999:7:::', 'alice:$6$pepper$ALICEHASHqrstuvwxyz012345:19000:0:99999:7:::'];

const RULE = 'name: R\ntype: any\nindex: logs-*\nalert: [email]\nemail: soc@example.org\nfrom_addr: ea@example.org\n';

test('import elastalert: imports that leave the rules folder (absolute path, .., symbolic link) are refused and never read; --allow-outside-imports follows them', async () => {
  const dir = workspace();
  writeFileSync(join(dir, 'secrets', 'shadow'), `${SHADOW.join('\n')}\n`);
  symlinkSync(join(dir, 'secrets', 'shadow'), join(dir, 'rules', 'linked.yaml'));
  mkdirSync(join(dir, 'rules', 'sub'));
  writeFileSync(join(dir, 'rules', 'base.yaml'), 'realert:\n  minutes: 5\n');
  writeFileSync(join(dir, 'rules', 'absolute.yaml'), `${RULE}import: ${join(dir, 'secrets', 'shadow')}\n`);
  writeFileSync(join(dir, 'rules', 'dotdot.yaml'), `${RULE}import: ../secrets/shadow\n`);
  writeFileSync(join(dir, 'rules', 'symlink.yaml'), `${RULE}import: linked.yaml\n`);
  // A .. that stays inside the folder is an ordinary import.
  writeFileSync(join(dir, 'rules', 'sub', 'inside.yaml'), `${RULE.replace('name: R', 'name: Inside')}import: ../base.yaml\n`);
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  const output = result.stdout + result.stderr;
  for (const line of SHADOW) for (const part of line.split(':').filter((p) => p.length > 6)) assert.ok(!output.includes(part), `the import printed ${part} of a file outside the rules folder:\n${output}`);
  assert.equal(result.code, 2, output);
  const errors = result.stderr.trim().split('\n').sort();
  assert.deepEqual(errors, [
    `import: rules/absolute.yaml:7: import ${join(dir, 'secrets', 'shadow')}: not read, an absolute path outside the rules folder; copy the file into the rules folder, or pass --allow-outside-imports if you trust it`,
    'import: rules/dotdot.yaml:7: import ../secrets/shadow: not read, a path that leaves the rules folder (..); copy the file into the rules folder, or pass --allow-outside-imports if you trust it',
    'import: rules/linked.yaml: not read, a symbolic link that leads outside the rules folder; copy the file into the rules folder, or pass --allow-outside-imports if you trust it',
    'import: rules/symlink.yaml:7: import linked.yaml: not read, a symbolic link that leads outside the rules folder; copy the file into the rules folder, or pass --allow-outside-imports if you trust it',
  ]);
  assert.match(result.stdout, /^ {2}alerts\/inside\.yaml {2}<- rules\/sub\/inside\.yaml \(any\)$/m);
  assert.equal(parse(readFileSync(join(dir, 'out', 'alerts', 'inside.yaml'), 'utf8')).throttle, '5m');
  assert.deepEqual(readdirSync(join(dir, 'out', 'alerts')), ['inside.yaml'], 'only the rule whose imports stay inside is converted');

  // The flag follows them (the user trusts those files): the rules are converted, and a key of such a file is quoted at most 64 characters long.
  const allowed = await runCli(['import', 'elastalert', 'rules', '--out', 'out2', '--allow-outside-imports'], dir);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.deepEqual(readdirSync(join(dir, 'out2', 'alerts')).sort(), ['inside.yaml', 'r-2.yaml', 'r-3.yaml', 'r.yaml']);
  for (const line of allowed.stdout.split('\n')) assert.ok(!line.includes(SHADOW[0]!), `a whole line of the file was printed: ${line}`);

  const help = await runCli(['import', 'elastalert', '--help'], dir);
  assert.match(help.stdout, /--allow-outside-imports/);
});

test('import elastalert: a key name is data: a long key is cut to 64 characters, any other key is named by its length, and values in notes are inert on a terminal', async () => {
  const dir = workspace();
  const longKey = `k${'x'.repeat(500)}`;
  writeFileSync(join(dir, 'rules', 'keys.yaml'), `${RULE}${longKey}: 1\n"bad\\e[2J\\e]0;owned\\a\\u202eyek": 2\n${SHADOW[0]}\n`);
  writeFileSync(join(dir, 'rules', 'type.yaml'), `${RULE.replace('type: any', 'type: "\\e[2Jcustom\\u202e"')}`);
  // A rule's name is data too: a long one still makes a file name of at most 80 characters.
  writeFileSync(join(dir, 'rules', 'long-name.yaml'), RULE.replace('name: R', `name: ${'N'.repeat(400)}`));
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 2, result.stderr);
  const output = result.stdout + result.stderr;
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(output), `control characters reached the terminal: ${JSON.stringify(output)}`);
  assert.match(result.stdout, new RegExp(`^ {2}rules/keys\\.yaml:7: k${'x'.repeat(63)}…: not converted: alertcron has no such option$`, 'm'));
  assert.match(result.stdout, /^ {2}rules\/keys\.yaml:8: \(a key of 21 characters that is no option name\): not converted/m);
  assert.match(result.stdout, /^ {2}rules\/keys\.yaml:9: \(a key of \d+ characters that is no option name\): not converted/m);
  assert.ok(!output.includes('ROOTHASH') && !output.includes('saltsalt'), output);
  assert.match(result.stderr, /^import: rules\/type\.yaml:2: type: type \\u\{1b\}\[2Jcustom\\u\{202e\} has no alertcron rule type/m);
  assert.deepEqual(readdirSync(join(dir, 'out', 'alerts')).sort(), [`${'n'.repeat(80)}.yaml`, 'r.yaml']);
  const json = await runCli(['import', 'elastalert', 'rules', '--out', 'out', '--json'], dir);
  const report = JSON.parse(json.stdout);
  assert.ok(report.notes.every((n: { option: string }) => [...n.option].length <= 65), 'the JSON report bounds key names too');
});

/** Webhook URLs whose path, query or user part is the credential, with the token in each. */
const TOKEN_URLS: [string, string][] = [
  ['https://discord.com/api/webhooks/112233445566778899/Zq8dKf0-DISCORDTOKEN_a1b2c3d4e5', 'DISCORDTOKEN'],
  ['https://contoso.webhook.office.com/webhookb2/0b1c2d3e-4f5a@6b7c/IncomingWebhook/TEAMSTOKEN9f8e7d6c5b4a/0a1b2c3d', 'TEAMSTOKEN'],
  ['https://mattermost.example.org/hooks/xi4ft6jd9pfb7m8ko3eh1wgq8a', 'xi4ft6jd9pfb7m8ko3eh1wgq8a'],
  ['https://hooks.slack.com/services/T0AAA/B0BBB/SLACKPOSTTOKEN', 'SLACKPOSTTOKEN'],
  ['https://soar.example.org/api/ingest/3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', '3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c'],
  ['https://chat.googleapis.com/v1/spaces/AAAA/messages?key=GCHATKEY123&token=GCHATTOKEN456', 'GCHATTOKEN456'],
  ['https://soar.example.org/hook?secret=QUERYSECRET', 'QUERYSECRET'],
];

test('import elastalert: a webhook URL that carries a token (path, query or user part) becomes a ${VAR} named in the report, never written into the files', async () => {
  const dir = workspace();
  const urls = TOKEN_URLS.map(([url]) => `  - ${url}`).join('\n');
  writeFileSync(join(dir, 'rules', 'hooks.yaml'), `name: Hooks\ntype: any\nindex: logs-*\nalert: [post]\nhttp_post_url:\n${urls}\n`);
  writeFileSync(join(dir, 'rules', 'plain.yaml'), 'name: Plain\ntype: any\nindex: logs-*\nalert: [post]\nhttp_post_url: https://soar.example.org/hooks/elastalert\n');
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr);
  const written = [...filesUnder(join(dir, 'out')).values()].join('\n');
  for (const [url, token] of TOKEN_URLS) {
    assert.ok(!written.includes(token), `${url} was copied into the written files`);
    assert.ok(!(result.stdout + result.stderr).includes(token), `${url} was printed`);
  }
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8'));
  const hooks = Object.entries(config.channels as Record<string, { url: string }>).filter(([, c]) => c.url.startsWith('${'));
  assert.equal(hooks.length, TOKEN_URLS.length);
  for (const [name, channel] of hooks) {
    const variable = /^\$\{(\w+)\}$/.exec(channel.url)![1]!;
    assert.match(result.stdout, new RegExp(`^ {2}${variable} +the value of http_post_url at rules/hooks\\.yaml:5$`, 'm'), `${name}'s variable is not named`);
  }
  // A URL without a token stays as written.
  assert.ok(Object.values(config.channels as Record<string, { url: string }>).some((c) => c.url === 'https://soar.example.org/hooks/elastalert'));
});

/** A generated YAML scalar, key or line: printable text, control characters, YAML syntax, paths. */
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('..', '../secrets/hidden.yaml', '/etc/passwd', 'import', 'filter', 'alert', '{a: [', '- x', '*ref', '&a b', '!!python/object x', '%YAML 1.1', '\u001b[2J', '', 'name', 'L'.repeat(300), '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'));
/** A rule type or alerter name: real ones, and names that are members of every JavaScript object. */
const special = fc.constantFrom('any', 'frequency', 'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty');

test('import elastalert, generated rule folders: it ends with its documented code, writes only inside --out, and prints no line of a file outside the rules folder nor a secret', async () => {
  await checkProperty(
    'importer on generated rule folders',
    fc.asyncProperty(
      fc.array(
        fc.record({
          name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
          keys: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 })), { maxKeys: 5 }),
          // Imports out of the folder, or of another generated rule (by its index: chains and circles).
          imports: fc.array(fc.oneof(fc.constantFrom('../secrets/hidden.yaml', 'SECRETS_ABS', 'outlink.yaml', 'sub/../../secrets/hidden.yaml'), fc.nat(3)), { maxLength: 3 }),
          raw: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
          hook: fc.boolean(),
          // Literal secrets of the other alerters, each with a recognisable part.
          secret: fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((t) => `GENSECRET${t}`),
          alerters: fc.subarray(['slack', 'telegram', 'twilio', 'email', 'hivealerter']),
          // TheHive settings in either form, every value generated; the API key is a literal secret.
          hive: fc.record({
            host: text,
            port: fc.oneof(fc.integer(), text),
            config: fc.dictionary(fc.oneof(fc.constantFrom('title', 'description', 'type', 'source', 'severity', 'tlp', 'pap', 'tags', 'customFields', 'title_args', 'status', 'date'), text), fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 }), fc.array(fc.record({ name: text, type: text, value: text }), { maxLength: 2 }), fc.dictionary(text, fc.record({ type: text, value: text }), { maxKeys: 2 })), { maxKeys: 6 }),
            observables: fc.oneof(text, fc.array(fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 2 })), { maxKeys: 3 }), { maxLength: 3 })),
          }),
          aggregation: fc.option(fc.oneof(fc.record({ schedule: fc.oneof(text, fc.constantFrom('0 9 * * mon-fri 0', 'L5 * * * *', '@hourly', 'H 9 * * *', '1-5,3 * * * fri-mon')) }), fc.record({ hours: fc.oneof(fc.integer(), text) }), text), { nil: undefined }),
          aggregationKeys: fc.dictionary(fc.constantFrom('aggregation_key', 'summary_table_fields', 'summary_table_max_rows', 'aggregate_by_match_time', 'summary_table_type', 'summary_prefix'), fc.oneof(text, fc.integer(), fc.boolean(), fc.array(fc.oneof(text, fc.record({ path: text, header: text })), { maxLength: 3 })), { maxKeys: 4 }),
          type: special,
          alerter: fc.option(special, { nil: undefined }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      async (rules) => {
        const dir = workspace();
        const hidden = ['HIDDENLINEONE_9f3a: x', 'HIDDENLINETWO_7b2c:', 'alert: [post]', 'http_post_url: https://soar.example.org/api/HIDDENTOKEN0123456789abcdef'];
        writeFileSync(join(dir, 'secrets', 'hidden.yaml'), `${hidden.join('\n')}\n`);
        symlinkSync(join(dir, 'secrets', 'hidden.yaml'), join(dir, 'rules', 'outlink.yaml'));
        mkdirSync(join(dir, 'rules', 'sub'));
        const { stringify } = await import('yaml');
        for (const rule of rules) {
          const imports = rule.imports.map((i) => (typeof i === 'number' ? `${rules[i % rules.length]!.name}.yaml` : i === 'SECRETS_ABS' ? join(dir, 'secrets', 'hidden.yaml') : i));
          const others = {
            slack: { slack_webhook_url: `https://hooks.slack.com/services/T0/B0/${rule.secret}` },
            telegram: { telegram_bot_token: `123:${rule.secret}`, telegram_room_id: '-1001234' },
            twilio: { twilio_account_sid: 'AC0123', twilio_auth_token: rule.secret, twilio_to_number: '+15551230001', twilio_from_number: '+15005550006' },
            email: { email: 'soc@example.org', smtp_auth_file: '/etc/ea/smtp.yaml' },
            hivealerter: { hive_connection: { hive_host: rule.hive.host, hive_port: rule.hive.port, hive_apikey: rule.secret }, hive_alert_config: rule.hive.config, hive_observable_data_mapping: rule.hive.observables },
          };
          const body = {
            ...rule.keys,
            type: rule.type,
            index: 'logs-*',
            alert: ['post', ...rule.alerters, ...(rule.alerter ? [rule.alerter] : [])],
            http_post_url: rule.hook ? 'https://discord.com/api/webhooks/1/GENERATEDHOOKTOKEN42' : 'https://soar.example.org/hooks/elastalert',
            http_post_headers: { Authorization: `Bearer ${rule.secret}` },
            ...Object.assign({}, ...rule.alerters.map((a) => others[a as keyof typeof others])),
            ...(imports.length ? { import: imports } : {}),
            ...(rule.aggregation !== undefined ? { aggregation: rule.aggregation } : {}),
            ...rule.aggregationKeys,
          };
          writeFileSync(join(dir, 'rules', `${rule.name}.yaml`), rule.raw ?? stringify(body));
        }
        const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
        const output = result.stdout + result.stderr;
        assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}: ${output}`);
        assert.ok(!/internal error|at .*\.js:\d+/i.test(output), output);
        for (const secret of ['HIDDENLINEONE', 'HIDDENLINETWO', 'HIDDENTOKEN', 'GENERATEDHOOKTOKEN', 'GENSECRET']) assert.ok(!output.includes(secret), `printed ${secret}: ${output}`);
        assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(output), `a control character reached the terminal: ${JSON.stringify(output)}`);
        const outside = [...filesUnder(dir).keys()].map((f) => relative(dir, f)).filter((f) => !f.startsWith('rules/') && !f.startsWith('secrets/') && !f.startsWith('out/') && !f.startsWith('.cache/'));
        assert.deepEqual(outside, [], 'wrote outside --out');
        if (existsSync(join(dir, 'out'))) {
          const written = [...filesUnder(join(dir, 'out')).values()].join('\n');
          for (const secret of ['HIDDENLINEONE', 'HIDDENTOKEN', 'GENERATEDHOOKTOKEN', 'GENSECRET']) assert.ok(!written.includes(secret), `wrote ${secret}`);
        }
      },
    ),
    15,
  );
});
