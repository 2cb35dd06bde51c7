import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPhoneNumber, owedRecipients, sendToEach } from '../../src/notify/eachRecipient.js';
import { DeliveryError } from '../../src/notify/types.js';
import { checkProperty, fc } from '../support/property.js';

type Answer = 'ok' | 'retryable' | 'permanent';
const NUMBERS = ['+15550000001', '+15550000002', '+15550000003', '+15550000004', '+15550000005'];

/** Sends like the outbox does over runs: each attempt to the recipients still owed, until none is owed or it is dropped. */
async function deliverOver(configured: string[], plan: Answer[][]) {
  const received = new Map<string, number>();
  const refused = new Set<string>();
  let owed: string[] | undefined;
  for (const answers of plan) {
    const to = owedRecipients(configured, owed, isPhoneNumber);
    if (!to.length) break;
    const sendOne = async (n: string) => {
      const answer = refused.has(n) ? 'permanent' : answers[NUMBERS.indexOf(n)]!;
      if (answer === 'permanent') refused.add(n);
      if (answer !== 'ok') throw new DeliveryError(`answered ${answer}`, answer === 'retryable');
      received.set(n, (received.get(n) ?? 0) + 1);
      return `SM-${n}`;
    };
    try {
      await sendToEach(to, sendOne, (e) => e as DeliveryError);
      return { received, refused, finished: true };
    } catch (error) {
      const failure = error as DeliveryError;
      if (!failure.retryable) return { received, refused, finished: true };
      // A failure naming no one still owes it to everyone it was sent to (none of them got it).
      owed = failure.remainingTo ?? to;
    }
  }
  return { received, refused, finished: false };
}

test('generated recipients and answers over several runs: nobody gets a notice twice, and everyone a retry can reach gets it', async () => {
  await checkProperty(
    'sendToEach records delivery per recipient',
    fc.asyncProperty(
      fc.integer({ min: 1, max: NUMBERS.length }),
      fc.array(fc.array(fc.constantFrom<Answer>('ok', 'retryable', 'permanent'), { minLength: NUMBERS.length, maxLength: NUMBERS.length }), { minLength: 0, maxLength: 4 }),
      async (count, failing) => {
        const configured = NUMBERS.slice(0, count);
        // The last run finds the provider well again: everyone not refused for good must then have it.
        const { received, refused, finished } = await deliverOver(configured, [...failing, NUMBERS.map(() => 'ok' as Answer)]);
        for (const [number, times] of received) assert.equal(times, 1, `${number} got it ${times} times`);
        if (finished) for (const number of configured) assert.ok(received.has(number) || refused.has(number), `${number} got it or was refused for good`);
        for (const number of refused) assert.ok(!received.has(number) || received.get(number) === 1);
      },
    ),
    300,
  );
});

test('a partly failed send names only the recipients still owed, with the receipt of those that got it', async () => {
  const sendOne = async (n: string) => {
    if (n === NUMBERS[1]) throw new DeliveryError('Twilio answered HTTP 500', true);
    if (n === NUMBERS[2]) throw new DeliveryError('Twilio answered HTTP 400 (code 21211)', false);
    return `SM-${n.slice(-1)}`;
  };
  await assert.rejects(sendToEach(NUMBERS.slice(0, 3), sendOne, (e) => e as DeliveryError), (error: DeliveryError) => {
    assert.equal(error.message, `Twilio answered HTTP 400 (code 21211) (1 of 3 recipients still owed; refused for good: ${NUMBERS[2]})`);
    assert.equal(error.retryable, true);
    assert.deepEqual(error.remainingTo, [NUMBERS[1]]);
    assert.deepEqual(error.partial, { id: 'SM-1', chat: NUMBERS[0] });
    return true;
  });
  assert.deepEqual(owedRecipients(NUMBERS, ['case-reporter@example.org'], isPhoneNumber), NUMBERS, 'a mail address owed by another channel is not a number owed');
  assert.deepEqual(owedRecipients(NUMBERS.slice(0, 2), [NUMBERS[4]!], isPhoneNumber), [], 'a number removed from the channel since is owed nothing');
});
