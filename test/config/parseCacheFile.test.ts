// The parse cache's file is read a line at a time: a line longer than the read buffer, a damaged file and another
// configuration's checks are handled as a whole file was before (kept, ignored, checked again).
import assert from 'node:assert/strict';
import fs, { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ParseCache, parseCacheContent } from '../../src/config/parseCache.js';

/** A folder with a configuration and two alert files, and the cache of that configuration in its own cache folder. */
function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-parse-cache-'));
  const config = join(dir, 'alertcron.yaml');
  writeFileSync(config, 'channels: {}\n');
  const files = ['big.yaml', 'small.yaml'].map((name) => join(dir, name));
  for (const file of files) writeFileSync(file, 'index: x\n');
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const open = (digest = 'config-a') => {
    const cache = ParseCache.open(config, env);
    cache.useConfig(digest);
    return cache;
  };
  const cacheFile = () => join(dir, 'cache', 'alertcron', readdirSync(join(dir, 'cache', 'alertcron')).find((f) => f.endsWith('.json'))!);
  return { dir, files, open, cacheFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a completed alert longer than the read buffer (3 MB) and a short one are read back whole; a warm open rewrites nothing', (t) => {
  const { files, open, cacheFile, cleanup } = folder();
  t.after(cleanup);
  const big = { name: 'big', description: `é${'x'.repeat(3 * 1024 * 1024)}ü`, notify: ['a'] };
  const small = { name: 'small', title: 'ünïcode ✓ \u2028 line', notify: ['b'] };
  const writing = open();
  writing.setAlert(files[0]!, statSync(files[0]!), [], big);
  writing.setAlert(files[1]!, statSync(files[1]!), [join(files[1]!, '..', 'missing.json')], small);
  writing.save();
  const written = statSync(cacheFile());
  const reading = open();
  assert.deepEqual(reading.getAlert(files[0]!, statSync(files[0]!)), { alert: big });
  assert.deepEqual(reading.getAlert(files[1]!, statSync(files[1]!)), { alert: small });
  reading.save();
  assert.equal(statSync(cacheFile()).mtimeMs, written.mtimeMs, 'every entry used, nothing changed: not rewritten');
  const content = parseCacheContent(readFileSync(cacheFile(), 'utf8'));
  assert.deepEqual(Object.keys(content.alerts), files);
  assert.deepEqual(content.alerts[files[1]!]!.d, [[join(files[1]!, '..', 'missing.json')]], 'a missing input is kept with no signature');
});

test('many alerts of 2- and 3-byte characters span many decode blocks: each block ends at a line end, each alert read back whole from its own line', (t) => {
  const { dir, open, cleanup } = folder();
  t.after(cleanup);
  // 3,000 lines of about 700 bytes of 2- and 3-byte characters (2 MB, some 60 blocks of DECODE_BYTES): a block cut
  // anywhere but after a newline would split a character or a line, and that alert would not be read back.
  const files = Array.from({ length: 3000 }, (_, i) => join(dir, `a${i}.yaml`));
  const alertOf = (i: number) => ({ name: `a${i}`, description: `${'é✓'.repeat(100 + (i % 37))}${i}`, notify: ['ü'] });
  const writing = open();
  for (const [i, file] of files.entries()) {
    writeFileSync(file, 'index: x\n');
    writing.setAlert(file, statSync(file), [], alertOf(i));
  }
  writing.save();
  const reading = open();
  for (const [i, file] of files.entries()) assert.deepEqual(reading.getAlert(file, statSync(file)), { alert: alertOf(i) }, file);
});

/** V8's large-object size on node 20 (kMaxRegularHeapObjectSize): a larger string gets pages of its own. */
const LARGE_OBJECT_BYTES = 131_072;

/** The bytes of a sequential string in V8's heap: a 16-byte header, then one byte a unit, or two once one is above U+00FF. */
function stringBytes(text: string): number {
  return 16 + (/[^\u0000-\u00ff]/.test(text) ? 2 : 1) * text.length;
}

test("whole lines mostly ASCII with one '✓' filling 64 KB to its last byte are decoded into strings below V8's large-object size", (t) => {
  const { dir, open, cacheFile, cleanup } = folder();
  t.after(cleanup);
  // 100 lines of about 1 KB of ASCII, the first with a '✓': the line that ends nearest below byte 65,535 is padded to
  // end there, so a block of 64 KB would be 65,535 bytes decoded into 65,533 two-byte units (131,082 bytes).
  const files = Array.from({ length: 100 }, (_, i) => join(dir, `b${i}.yaml`));
  for (const file of files) writeFileSync(file, 'index: x\n');
  const alertOf = (i: number, pad = 0) => ({ name: `b${i}`, description: `${i === 0 ? '✓' : ''}${'x'.repeat(1000 + pad)}`, notify: ['a'] });
  const write = (pad: Map<number, number>) => {
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    const writing = open();
    for (const [i, file] of files.entries()) writing.setAlert(file, statSync(file), [], alertOf(i, pad.get(i)));
    writing.save();
    return readFileSync(cacheFile());
  };
  const ends = (bytes: Buffer) => [...bytes.entries()].filter(([, b]) => b === 10).map(([at]) => at + 1);
  const first = write(new Map());
  const lineEnds = ends(first);
  const last = lineEnds.filter((end) => end <= 65_535).length - 1;
  // Line `last` of the file is alert `last - 1` (the head line comes first).
  const bytes = write(new Map([[last - 1, 65_535 - lineEnds[last]!]]));
  assert.ok(ends(bytes).includes(65_535), 'a line ends at byte 65,535');
  assert.ok(bytes.subarray(0, 65_535).includes(Buffer.from('✓')), "the '✓' is in those bytes");

  const decoded: string[] = [];
  const realToString = Buffer.prototype.toString;
  t.after(() => {
    Buffer.prototype.toString = realToString;
  });
  Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer['toString']>) {
    const text = realToString.apply(this, args);
    if (text.includes('\n')) decoded.push(text);
    return text;
  } as Buffer['toString'];
  const reading = open();
  Buffer.prototype.toString = realToString;
  assert.ok(decoded.length > 1, `the file was decoded in blocks: ${decoded.length}`);
  for (const text of decoded) assert.ok(stringBytes(text) <= LARGE_OBJECT_BYTES, `a block of ${text.length} units takes ${stringBytes(text)} bytes`);
  for (const file of files) assert.ok(reading.getAlert(file, statSync(file)), file);
  assert.deepEqual(reading.getAlert(files[last - 1]!, statSync(files[last - 1]!)), { alert: alertOf(last - 1, 65_535 - lineEnds[last]!) });
});

test('another configuration, an edited alert file or a damaged cache file serves nothing from the cache', (t) => {
  const { files, open, cacheFile, cleanup } = folder();
  t.after(cleanup);
  const writing = open();
  writing.setAlert(files[1]!, statSync(files[1]!), [], { name: 'small' });
  writing.save();
  assert.equal(open('config-b').getAlert(files[1]!, statSync(files[1]!)), undefined, 'checked against another configuration');
  assert.ok(open().getAlert(files[1]!, statSync(files[1]!)));
  const text = readFileSync(cacheFile(), 'utf8');
  const [head, line] = text.split('\n');
  const lines = (entry: unknown[]) => `${head}\n${JSON.stringify(entry)}\n`;
  assert.ok(line?.startsWith('["a",'), line);
  // Damaged lines with the alert file's real signature: only the shape checks keep them from being served.
  const [, , m, c, s] = JSON.parse(line!) as [string, string, number, number, number];
  const damagedLines = [
    lines(['a', files[1], m, c, s, { name: 'small' }, 'not a list']),
    lines(['a', files[1], m, c, s, { name: 'small' }, 42]),
    lines(['a', files[1], m, c, s, { name: 'small' }, [[1, 2]]]),
    lines(['a', files[1], m, c, s, { name: 'small' }, [['dep', 'x']]]),
    lines(['a', files[1], String(m), c, s, { name: 'small' }]),
    lines(['a', files[1], m, c, s, 42]),
    lines(['a', files[1], m, c, s, 'small']),
    lines(['x', files[1], m, c, s, {}]),
  ];
  writeFileSync(cacheFile(), lines(['a', files[1], m, c, s, { name: 'small' }]));
  assert.ok(open().getAlert(files[1]!, statSync(files[1]!)), 'the same line undamaged is served');
  for (const damaged of [text.slice(0, -5), text.replace('"format":3', '"format":2'), `${text}{not json}\n`, '', `${text}[1]\n`, ...damagedLines]) {
    writeFileSync(cacheFile(), damaged);
    assert.equal(open().getAlert(files[1]!, statSync(files[1]!)), undefined, JSON.stringify(damaged.slice(-40)));
  }
  writeFileSync(cacheFile(), text);
  writeFileSync(files[1]!, 'index: y\nnotify: [b]\n');
  assert.equal(open().getAlert(files[1]!, statSync(files[1]!)), undefined, 'the file changed');
});

test('a write that takes fewer bytes than given (a full disk, a quota) is continued: the cache is written whole', (t) => {
  const { files, open, cleanup } = folder();
  t.after(cleanup);
  const alert = { name: 'big', description: 'x'.repeat(100_000), notify: ['a'] };
  const writing = open();
  writing.setAlert(files[0]!, statSync(files[0]!), [], alert);
  // Every write takes at most 4,096 bytes, as a file system short of room may (the named import sees the change).
  const realWriteSync = fs.writeSync;
  t.after(() => {
    fs.writeSync = realWriteSync;
    syncBuiltinESMExports();
  });
  let writes = 0;
  fs.writeSync = ((fd: number, data: NodeJS.ArrayBufferView | string, offset?: number, length?: number) => {
    writes++;
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const from = typeof offset === 'number' ? offset : 0;
    const to = Math.min(bytes.length, from + Math.min(length ?? bytes.length - from, 4096));
    return realWriteSync(fd, bytes.subarray(from, to));
  }) as typeof fs.writeSync;
  syncBuiltinESMExports();
  writing.save();
  fs.writeSync = realWriteSync;
  syncBuiltinESMExports();
  assert.deepEqual(open().getAlert(files[0]!, statSync(files[0]!)), { alert });
  assert.ok(writes > 10, `the short writes were used: ${writes}`);
});

test("a temporary file of another process with the same pid (another container sharing the cache folder) is not written into", (t) => {
  const { files, open, cacheFile, cleanup } = folder();
  t.after(cleanup);
  const first = open();
  first.setAlert(files[0]!, statSync(files[0]!), [], { name: 'big' });
  first.save();
  const others = `${cacheFile()}.${process.pid}.tmp`;
  writeFileSync(others, 'another run, half written\n');
  const second = open();
  assert.ok(second.getAlert(files[0]!, statSync(files[0]!)));
  second.setAlert(files[1]!, statSync(files[1]!), [], { name: 'small' });
  second.save();
  assert.equal(readFileSync(others, 'utf8'), 'another run, half written\n', "the other process's file is as it wrote it");
  assert.deepEqual(open().getAlert(files[1]!, statSync(files[1]!)), { alert: { name: 'small' } });
  assert.deepEqual(readdirSync(join(cacheFile(), '..')).filter((f) => f.endsWith('.tmp')), [others.slice(others.lastIndexOf('/') + 1)], 'no temporary file of ours is left');
});

test('a temporary file a save killed midway left behind is removed by a later save once a minute old, a younger one is kept (it may be another container writing)', (t) => {
  const { files, open, cacheFile, cleanup } = folder();
  t.after(cleanup);
  const first = open();
  first.setAlert(files[0]!, statSync(files[0]!), [], { name: 'big' });
  first.save();
  const old = `${cacheFile()}.4242.0a1b2c3d4e5f.tmp`;
  const young = `${cacheFile()}.4243.0a1b2c3d4e60.tmp`;
  writeFileSync(old, 'killed while saving\n');
  writeFileSync(young, 'being written\n');
  utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
  const second = open();
  second.setAlert(files[1]!, statSync(files[1]!), [], { name: 'small' });
  second.save();
  assert.equal(existsSync(old), false, 'the old leftover is removed');
  assert.equal(readFileSync(young, 'utf8'), 'being written\n', 'the young one is left as it is');
});

test('a format-2 cache (one JSON object, no newline) is refused at its first read, served as no cache, then written in format 3', (t) => {
  const { files, open, cacheFile, cleanup } = folder();
  t.after(cleanup);
  const first = open();
  first.setAlert(files[1]!, statSync(files[1]!), [], { name: 'small' });
  first.save();
  const stat = statSync(files[0]!);
  const entry = { m: stat.mtimeMs, c: stat.ctimeMs, s: stat.size, d: [], a: { name: 'big', notify: ['a'] } };
  const alerts = Object.fromEntries(Array.from({ length: 30_000 }, (_, k) => [`${files[0]}${k}`, entry]));
  const large = JSON.stringify({ format: 2, files: {}, alerts: { ...alerts, [files[0]!]: entry } });
  assert.ok(large.length > 4 * 1024 * 1024 && !large.includes('\n'), `${large.length} bytes on one line`);
  const realReadSync = fs.readSync;
  t.after(() => {
    fs.readSync = realReadSync;
    syncBuiltinESMExports();
  });
  for (const older of ['{"format":2,"files":{},"alerts":{}}', large]) {
    writeFileSync(cacheFile(), older);
    let reads = 0;
    fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
      reads++;
      return realReadSync(...args);
    }) as typeof fs.readSync;
    syncBuiltinESMExports();
    const cache = open();
    fs.readSync = realReadSync;
    syncBuiltinESMExports();
    assert.equal(reads, 1, `refused at the first read of ${older.length} bytes`);
    assert.equal(cache.getAlert(files[0]!, statSync(files[0]!)), undefined, 'a cold start');
    cache.setAlert(files[0]!, statSync(files[0]!), [], entry.a);
    cache.save();
    assert.match(readFileSync(cacheFile(), 'utf8'), /^\{"format":3,"basis":/, 'written anew in format 3');
    assert.deepEqual(open().getAlert(files[0]!, statSync(files[0]!)), { alert: entry.a });
  }
});
