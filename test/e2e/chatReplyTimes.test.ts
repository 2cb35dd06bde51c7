import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { checkProperty, fc } from '../support/property.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// Issue 22 point 2: a chat server's message date (beyond the Date range, negative, not a number) never makes a run exit 1.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const sudo = (at: number, user: string) => ({ '@timestamp': iso(at), event: { action: 'sudo' }, user: { name: user }, host: { name: 'db-3' }, process: { args: 'sudo -i' } });
let nextUser = 7000;

test('property: a "no" answered on Telegram with any message date escalates once, and every run exits 0', async () => {
  const date = fc.constantFrom<unknown>(1e300, -1, 0, 8.64e12 + 1, 'yesterday', null, 2 ** 53, -8.64e12);
  await checkProperty('telegram reply dates', fc.asyncProperty(date, async (badDate) => {
    const T = uniqueBaseTime();
    const id = nextUser++;
    const index = await world.index('sudo-dates');
    const project = world.project();
    const tg = servers.telegram;
    const config = servers.config(world) as { channels: Record<string, unknown> };
    config.channels['soc-tg'] = { type: 'telegram', bot_token: '${TELEGRAM_BOT_TOKEN}', chat_id: -1001234, api_url: tg.base, bot: true, timeout: '3s' };
    project.writeConfig(config);
    Object.assign(project.env, servers.secrets);
    writeFileSync(join(project.dir, 'people.yaml'), `gail: ${id}\n`);
    project.writeAlert('sudo', { index, condition: { type: 'any' }, group_by: 'user.name', notify: ['soc-email'], samples: 0, title: 'sudo by {{user.name}}', ask: { person: 'user.name', people: 'people.yaml', via: 'soc-tg', question: 'Did you run {{process.args}}?', two_factor: false } });
    await indexDocs(world.esUrl, index, [sudo(T - 30_000, 'gail')]);
    const mails = world.smtp.messages.length;
    const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(first.code, 0, first.stderr);
    tg.say({ id, first_name: 'Gail' }, { id, type: 'private', first_name: 'Gail' }, 'no, not me', undefined, { date: badDate });
    for (const minutes of [1, 2]) {
      const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + minutes * MIN) });
      assert.equal(result.code, 0, `date ${String(badDate)}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /Invalid time value|internal error/);
    }
    const told = world.smtp.messages.slice(mails).map((m) => m.subject);
    assert.deepEqual(told, ['[ask: said no] sudo by gail'], `date ${String(badDate)}`);
    const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
    assert.equal(status.code, 0, status.stderr);
  }), 5);
});
