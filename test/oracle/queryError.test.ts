// The oracle driver must not read an ElastAlert2 error as "no match": a search the cluster rejects is caught inside
// ElastAlert2 (get_hits logs "Error running query" and returns nothing), so ea_replay.py prints it as an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayElastalert } from '../support/oracle.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

test('oracle driver: a rule whose query the cluster rejects is reported as an error, not as a quiet rule', async () => {
  const T = Math.floor(uniqueBaseTime() / MIN) * MIN;
  const index = await world.index('oracle-badquery');
  const broken = { name: 'bad-query', start: T, end: T + 2 * MIN, docs: [{ '@timestamp': new Date(T + 30_000).toISOString(), user: 'alice' }], alertcron: {}, elastalert: { type: 'any', filter: [{ query: { query_string: { query: 'user:(' } } }] } };
  // An event in the span: with none, the cluster may skip the shard (its times cannot match) and never parse the query.
  await indexDocs(world.esUrl, index, broken.docs);
  const fine = { ...broken, name: 'fine-query', elastalert: { type: 'any' } };
  const results = await replayElastalert(world.esUrl, [{ index, c: broken }, { index, c: fine }], T, T + 2 * MIN);
  const errors = results.get('bad-query')!.errors;
  // The step whose window holds the event (a step whose shards the cluster skips by time never parses the query).
  assert.equal(errors[0]?.step, new Date(T + MIN).toISOString(), JSON.stringify(errors));
  assert.ok(errors.every((e) => e.error.startsWith('Error running query')), JSON.stringify(errors));
  assert.deepEqual(results.get('fine-query')!.errors, []);
});
