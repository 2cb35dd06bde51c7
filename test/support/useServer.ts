import { after, before, beforeEach } from 'node:test';

/**
 * Registers hooks that start a fake service for the current test file, reset it before each test and stop it after
 * the file; returns a stand-in that reads and writes the started server (usable at the file's top level).
 */
export function useServer<S extends object>(start: () => Promise<S>, reset: (server: S) => void, stop: (server: S) => Promise<void>): S {
  let started: S | undefined;
  const current = () => {
    if (!started) throw new Error('the fake service is used before its before() hook started it');
    return started;
  };
  const standIn = new Proxy({} as S, {
    get: (_target, key) => Reflect.get(current(), key),
    set: (_target, key, value) => Reflect.set(current(), key, value),
  });
  before(async () => {
    started = await start();
  });
  beforeEach(() => reset(current()));
  after(async () => {
    if (started) await stop(started);
  });
  return standIn;
}
