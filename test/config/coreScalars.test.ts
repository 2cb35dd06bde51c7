// coreScalar (the YAML 1.2 core schema's plain scalars, written out so that the fast reading needs no yaml package)
// reads every plain scalar exactly as the yaml package's own core tags do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isScalar, Schema, type ScalarTag } from 'yaml';
import { coreScalar } from '../../src/config/coreScalars.js';
import { checkProperty, fc } from '../support/property.js';

const tags = new Schema({ schema: 'core' }).tags.filter((tag) => tag.default === true && 'test' in tag && tag.test !== undefined) as ScalarTag[];

/** The yaml package's reading: the first of its core tags that matches, resolved. */
function packageReading(data: string): { value: unknown } | undefined {
  const tag = tags.find((t) => t.test!.test(data));
  if (!tag) return undefined;
  const read = tag.resolve(data, () => assert.fail(`not read: ${data}`), { intAsBigInt: false });
  return { value: isScalar(read) ? read.value : read };
}

test('the core tags: null, booleans, octal, decimal and hex integers, .inf/.nan, floats; anything else is text', () => {
  for (const data of ['', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'False', 'TRUE', 'tRue', 'yes', '0o17', '0O17', '017', '0429', '0x1F', '0X1F', '+0x1', '-0', '1_000', '1e3', '1.5E-3', '.5', '1.', '+.inf', '-.Inf', '.NaN', 'NaN', '9007199254740993', '1e400', '2021-05-12', '1:30'])
    assert.deepEqual(coreScalar(data), packageReading(data), JSON.stringify(data));
  assert.deepEqual(coreScalar('0x1F'), { value: 31 });
  assert.equal(coreScalar('yes'), undefined);
});

test('property: generated plain scalars read the same as the yaml package reads them', async () => {
  const data = fc.string({ unit: fc.constantFrom('0', '1', '7', '8', '9', 'a', 'e', 'E', 'x', 'o', 'f', '.', '+', '-', '_', 'i', 'n', 'N', 'I', 'F', 't', 'r', 'u', 'l', '~', 'T'), maxLength: 8 });
  const words = fc.oneof(data, fc.constantFrom('.inf', '.nan', 'true', 'null', '0o', '0x', '1e', '.5e'), fc.double().map(String), fc.integer().map(String));
  await checkProperty('coreScalar reads as the yaml package', fc.property(fc.tuple(words, words).map(([a, b]) => a + b), (text) => assert.deepEqual(coreScalar(text), packageReading(text), JSON.stringify(text))), 2000);
});
