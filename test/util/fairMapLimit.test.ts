import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fairMapLimit } from '../../src/util/fairMapLimit.js';
import { checkProperty, fc } from '../support/property.js';

test('generated lanes, caps and limits: never more than the limit or a lane\'s cap in flight, every item once, in order, and a hung lane never starves the others', async () => {
  await checkProperty(
    'fairMapLimit is bounded and fair',
    fc.asyncProperty(
      fc.integer({ min: 2, max: 8 }),
      fc.array(fc.record({ lane: fc.constantFrom('slack', 'email', 'sms', 'hook'), ms: fc.integer({ min: 0, max: 3 }) }), { maxLength: 40 }),
      fc.record({ slack: fc.integer({ min: 1, max: 10 }), email: fc.integer({ min: 1, max: 10 }), sms: fc.integer({ min: 1, max: 10 }), hook: fc.integer({ min: 1, max: 10 }) }),
      async (limit, items, caps) => {
        const running = new Map<string, number>();
        let inFlight = 0;
        // Slack hangs until every other item is done (when there are others): they must get through meanwhile.
        let hungReleased = items.every((item) => item.lane === 'slack');
        const hung: (() => void)[] = [];
        const done: number[] = [];
        const results = await fairMapLimit(
          items.map((item, index) => ({ ...item, index })),
          limit,
          (item) => item.lane,
          (lane) => caps[lane as keyof typeof caps],
          async (item) => {
            inFlight++;
            running.set(item.lane, (running.get(item.lane) ?? 0) + 1);
            assert.ok(inFlight <= limit, `${inFlight} in flight, limit ${limit}`);
            assert.ok(running.get(item.lane)! <= caps[item.lane as keyof typeof caps], `${item.lane} over its cap`);
            if (item.lane === 'slack' && !hungReleased) await new Promise<void>((resolve) => hung.push(resolve));
            else await new Promise((resolve) => setTimeout(resolve, item.ms));
            inFlight--;
            running.set(item.lane, running.get(item.lane)! - 1);
            done.push(item.index);
            if (done.length === items.filter((i) => i.lane !== 'slack').length && !hungReleased) {
              hungReleased = true;
              hung.splice(0).forEach((release) => release());
            }
            return item.index;
          },
        );
        assert.deepEqual(results, items.map((_, index) => index));
        const others = items.map((item, index) => ({ ...item, index })).filter((item) => item.lane !== 'slack').map((item) => item.index);
        assert.deepEqual(done.slice(0, others.length).sort((a, b) => a - b), others, 'every other lane finished before the hung one was released');
      },
    ),
    200,
  );
});
