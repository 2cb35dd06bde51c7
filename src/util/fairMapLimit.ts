/**
 * Maps items through an async function with at most `limit` calls in flight, shared fairly between lanes (e.g. a
 * delivery's channel): a free slot goes to a waiting lane below its equal share of `limit` (the lanes with work
 * in flight or waiting split it), the one with the fewest in flight first, then the one served longest ago. So a lane
 * whose calls hang holds only its share while others wait, and takes more only when no other lane has work to
 * start. `laneLimit` caps a lane on its own. Results keep the order of the items.
 */
export function fairMapLimit<T, R>(items: readonly T[], limit: number, laneOf: (item: T) => string, laneLimit: (lane: string) => number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const lanes = new Map<string, { queue: number[]; running: number; served: number; cap: number }>();
  items.forEach((item, index) => {
    const name = laneOf(item);
    let lane = lanes.get(name);
    if (!lane) lanes.set(name, (lane = { queue: [], running: 0, served: -1, cap: Math.max(1, laneLimit(name)) }));
    lane.queue.push(index);
  });
  let inFlight = 0;
  let turn = 0;
  let left = items.length;
  const next = () => {
    const ready = [...lanes.values()].filter((lane) => lane.queue.length && lane.running < lane.cap);
    if (!ready.length) return undefined;
    const active = [...lanes.values()].filter((lane) => lane.queue.length || lane.running).length;
    const share = Math.max(1, Math.floor(limit / active));
    const below = ready.filter((lane) => lane.running < share);
    return (below.length ? below : ready).reduce((best, lane) => (lane.running < best.running || (lane.running === best.running && lane.served < best.served) ? lane : best));
  };
  return new Promise((resolve, reject) => {
    if (!left) return resolve(results);
    const pump = () => {
      for (let lane = next(); inFlight < Math.max(1, limit) && lane; lane = next()) {
        const index = lane.queue.shift()!;
        const started = lane;
        started.running++;
        started.served = turn++;
        inFlight++;
        work(items[index]!).then(
          (result) => {
            results[index] = result;
            started.running--;
            inFlight--;
            if (--left === 0) resolve(results);
            else pump();
          },
          reject,
        );
      }
    };
    pump();
  });
}
