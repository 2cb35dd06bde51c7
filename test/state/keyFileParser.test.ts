import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeyFiles } from '../support/project.js';

// The tests' own reader of the key file format (test/support/project.ts), written from the format's description, not
// from the KeyStore it checks: a hand-written key file and file of changes give the keys the format says.
test("the tests' parser of key files reads A and U sections as the format says", () => {
  const summary = '{"count":0,"oldestSeen":0,"attention":[],"firing":[]}';
  const section = (kind: string, alert: string, body: string) => `${kind}\t${JSON.stringify(alert)}\t${summary}\t${body.length}\n${body}`;
  const base = `alertcron keys 2\n${section('A', 'a', '"k1"\t1\t{"lastSeen":1}\n"k2"\t2\t{"lastSeen":2}\n"k3"\t3\t{"lastSeen":3}\n')}${section('A', 'b', '"x"\t1\t{"lastSeen":1}\n')}`;
  const delta = `alertcron keys 2\n${section('U', 'a', '"k1"\t\t\n"k2"\t5\t{"lastSeen":5}\n"k1"\t6\t{"lastSeen":6}\n"k4"\t7\tnot json\n')}${section('A', 'b', '')}not a header\n${section('U', 'a', '"k3"\t\t\n')}`;
  const keys = parseKeyFiles([base, delta]);
  assert.deepEqual(Object.entries(keys.get('a')!), [['k2', { lastSeen: 5 }], ['k3', { lastSeen: 3 }], ['k1', { lastSeen: 6 }]], 'changed in place, forgotten and written again last, a bad line left out, nothing read after a bad header');
  assert.deepEqual(keys.get('b'), {});
});
