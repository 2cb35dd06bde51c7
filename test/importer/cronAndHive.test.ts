// The importer's pure parts for issue 25: croniter schedules as five cron fields, and TheHive alerter texts
// (the {match[...]} format-string form, the newer _args and field-name form) as alertcron templates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { croniterToCron } from '../../src/importer/cronSchedule.js';
import { convertHiveText, convertLegacyFormat, convertLookup, observableField } from '../../src/importer/hiveTemplates.js';
import { renderTemplate } from '../../src/util/template.js';
import { checkProperty, fc } from '../support/property.js';

test('croniter schedules: shortcuts, names, seconds, wrapping ranges and last weekdays become five cron fields; the rest is refused with the reason', () => {
  assert.deepEqual(croniterToCron('@hourly'), { schedule: '0 * * * *' });
  assert.deepEqual(croniterToCron('@Midnight'), { schedule: '0 0 * * *' });
  assert.deepEqual(croniterToCron(' 0 9 * * MON-FRI '), { schedule: '0 9 * * 1-5' });
  assert.deepEqual(croniterToCron('0 9 * * 1-5 0'), { schedule: '0 9 * * 1-5' });
  assert.match((croniterToCron('0 9 * * 1-5 */10') as { difference: string }).difference, /seconds field \*\/10 is dropped/);
  assert.deepEqual(croniterToCron('0 22-2 * * fri-mon'), { schedule: '0 22-23,0-2 * * 5-6,0-1' });
  assert.deepEqual(croniterToCron('0 17 * * L5'), { schedule: '0 17 * * 5L' });
  assert.deepEqual(croniterToCron('*/20,*/30 * * * *'), { schedule: '0,20,30,40 * * * *' });
  assert.match((croniterToCron('0 9 * * 1 0 2027') as { problem: string }).problem, /year field/);
  assert.match((croniterToCron('0 9 * * 1 2027') as { problem: string }).problem, /sixth field 2027 is croniter's seconds/);
  assert.match((croniterToCron('H 9 * * *') as { problem: string }).problem, /hashed \(H\) and random \(R\)/);
  assert.match((croniterToCron('0 9 1 * 1#2') as { problem: string }).problem, /its own way/);
  assert.match((croniterToCron('0 24 * * *') as { problem: string }).problem, /^0 24 \* \* \*: .*24/);
  assert.match((croniterToCron('0 9 * OCT-10 *') as { problem: string }).problem, /range from a value to itself/);
  assert.match((croniterToCron('@reboot') as { problem: string }).problem, /not one of croniter's/);
  assert.match((croniterToCron('0 9 * *') as { problem: string }).problem, /4 fields/);
});

test('hive texts: the format-string form, _args, literals; lookups of the newer form; observable fields', () => {
  const rule = { name: 'R', index: 'so-ids-*', realert: { days: 1 } };
  assert.deepEqual(convertLegacyFormat('{rule[name]} -- {match[alert]} on {match[host][name]} in {rule[index]}', rule), { template: '{{alert}} -- {{fields.alert}} on {{fields.host.name}} in so-ids-*', problems: [] });
  assert.match(convertLegacyFormat('{rule[realert]}', rule).problems[0]!, /not a text option/);
  assert.match(convertLegacyFormat('{0}', rule).problems[0]!, /neither/);
  assert.match(convertLegacyFormat('{match[a b]}', rule).problems[0]!, /names a field no template can/);
  assert.deepEqual(convertLegacyFormat('{{literal}} {match[x]}', rule), { template: '{literal} {{fields.x}}', problems: [] });
  assert.deepEqual(convertLegacyFormat('{{{{x}}}} {{{match[x]}', rule).problems, ['a literal {{ or }} (or a brace beside a field) would read as a template: reword it']);
  assert.deepEqual(convertHiveText('Signal {0} for {1}', ['signal.rule.name', 'user.name'], rule), { template: 'Signal {{fields.signal.rule.name}} for {{fields.user.name}}', problems: [] });
  assert.deepEqual(convertHiveText('Title {}', undefined, rule), { template: 'Title {}', problems: [] });
  assert.deepEqual([convertLookup('source.ip', rule).template, convertLookup('siem', rule).template, convertLookup('name', rule).template, convertLookup('v1.2', rule).template], ['{{fields.source.ip}}', 'siem', '{{alert}}', 'v1.2']);
  // The thehive channel has no {{description}}: the rule's text is written; a match field is always under fields.
  const described = { ...rule, description: 'Suricata alerts' };
  assert.deepEqual(convertLegacyFormat('{rule[description]}: {match[message]} {match[key]} {match[title]} {match[reason]}', described), { template: 'Suricata alerts: {{fields.message}} {{fields.key}} {{fields.title}} {{fields.reason}}', problems: [] });
  assert.deepEqual(convertHiveText('{0} / {1}', ['description', 'key'], described), { template: 'Suricata alerts / {{fields.key}}', problems: [] });
  assert.deepEqual(convertLookup('description', described), { template: 'Suricata alerts', problems: [] });
  assert.match(convertLegacyFormat('{rule[description]}', rule).problems[0]!, /the rule has no description: left empty/);
  assert.match(convertHiveText('{0}', ['num_hits'], rule).problems[0]!, /no count of hits/);
  assert.deepEqual([observableField('{match[source][ip]}'), observableField('source.ip'), observableField('{match[a]}_{match[b]}.txt'), observableField('{match[a b]}'), observableField(3)], ['source.ip', 'source.ip', undefined, undefined, undefined]);
});

/** A field path segment as templates name them. */
const segment = fc.stringMatching(/^[A-Za-z_@][\w@-]{0,8}$/);

test('property: a format string of text and {match[...]} fields renders, through alertcron\'s templates, what Python\'s format gave; any other text is converted with a problem or without a template in its literal parts', async () => {
  await checkProperty(
    'hive format strings',
    fc.property(
      fc.array(fc.oneof(fc.string({ maxLength: 12 }).map((t) => ({ literal: t })), fc.array(segment, { minLength: 1, maxLength: 3 }).map((path) => ({ path }))), { maxLength: 6 }),
      fc.string({ maxLength: 40 }),
      (parts, noise) => {
        // Literal text is written with its braces doubled, as Python's format wants them.
        const text = parts.map((p) => ('literal' in p ? p.literal.replace(/[{}]/g, (c) => c + c) : `{match${p.path.map((s) => `[${s}]`).join('')}}`)).join('');
        const converted = convertLegacyFormat(text, {});
        const event: Record<string, unknown> = {};
        const expected = parts.map((p) => {
          if ('literal' in p) return p.literal;
          const value = `v:${p.path.join('.')}`;
          event[p.path.join('.')] = value;
          return value;
        }).join('');
        if (converted.problems.length === 0) {
          const lookup = (path: string) => (path.startsWith('fields.') ? event[path.slice('fields.'.length)] : event[path]);
          assert.equal(renderTemplate(converted.template, lookup), expected, JSON.stringify({ text, converted }));
        }
        // Whatever the text, the conversion ends, and a literal {{ is never left without a problem said.
        const any = convertLegacyFormat(noise, {});
        const bare = any.template.replace(/\{\{[\w@.-]+\}\}/g, '');
        if (/\{\{|\}\}/.test(bare)) assert.ok(any.problems.length > 0, JSON.stringify({ noise, any }));
      },
    ),
    300,
  );
});
