import { after, before, beforeEach } from 'node:test';

/** Registers hooks that start a fake service for the current test file, reset it before each test, and stop it after. */
export function useFake<S extends { close(): Promise<void> }>(start: () => Promise<S>, reset: (server: S) => void): { server: S } {
  const holder = {} as { server: S };
  before(async () => {
    holder.server = await start();
  });
  beforeEach(() => reset(holder.server));
  after(async () => {
    await holder.server?.close();
  });
  return holder;
}
