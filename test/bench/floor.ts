// The floor of a cron-run alerting tool: a node process that sends one _msearch holding one search and exits.
// usage: node dist/test/bench/floor.js <cluster URL> <index pattern> <from ms> <to ms>
// Prints {"rtt_ms": ...}: the round trip of that one request, measured inside the process.
import { request } from 'node:http';

const [base, index, from, to] = process.argv.slice(2);
const url = new URL('/_msearch', base);
const search = {
  size: 0,
  track_total_hits: true,
  query: { bool: { filter: [{ term: { 'host.name': 'srv-0000' } }, { range: { '@timestamp': { gte: Number(from), lt: Number(to), format: 'epoch_millis' } } }] } },
};
const body = `${JSON.stringify({ index })}\n${JSON.stringify(search)}\n`;
const started = performance.now();
const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } }, (res) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => {
    const rtt = performance.now() - started;
    const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { responses?: { status?: number }[] };
    if (res.statusCode !== 200 || answer.responses?.[0]?.status !== 200) {
      console.error(`unexpected answer: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`);
      process.exitCode = 1;
    }
    console.log(JSON.stringify({ rtt_ms: rtt }));
  });
});
req.on('error', (error) => {
  console.error(error.message);
  process.exitCode = 1;
});
req.end(body);
