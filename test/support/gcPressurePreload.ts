// Preloaded into a spawned CLI (node --expose-gc --import=<this file>): collects garbage every 25 ms, so that a
// timer whose signal is only weakly held is collected before it fires, as it is in a long real run.
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) setInterval(collect, 25).unref();
