// Where a run's time and memory go, stage by stage, at the cost of a few microseconds per stage.

/** One stage of a run: the time since the previous mark, and the memory when it ended. */
export interface StageTiming {
  stage: string;
  /** Wall time (ms). */
  wallMs: number;
  /** CPU time of the whole process, user and system, all threads (ms): more than wallMs when GC or compile threads helped. */
  cpuMs: number;
  /** V8's used heap when the stage ended (MB = 10^6 bytes). */
  heapMb: number;
  /** The process's peak resident set so far when the stage ended (MB): the stage where it grows is where the peak comes from. */
  rssMb: number;
}

/** A clock that times the stages of one run: `mark(stage)` ends that stage. */
export interface StageClock {
  /** Ends the stage named: what went by since the previous mark is charged to it (added up when a stage comes again). */
  mark(stage: string): void;
  /** The stages marked so far, in the order each was first marked. */
  stages(): StageTiming[];
}

const MB = 1e6;
const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Starts a stage clock. Its first stage begins when the process started (node's own start, loading the code and
 * reading the command line), as the process's CPU time does. Each mark costs one getrusage and one heap read.
 */
export function startStageClock(): StageClock {
  const byName = new Map<string, StageTiming>();
  let wall = 0;
  let cpu = 0;
  let lastHeapMb = 0;
  return {
    mark(stage) {
      const nowWall = performance.now();
      const usage = process.resourceUsage();
      const nowCpu = (usage.userCPUTime + usage.systemCPUTime) / 1000;
      const timing = byName.get(stage) ?? { stage, wallMs: 0, cpuMs: 0, heapMb: 0, rssMb: 0 };
      timing.wallMs = round(timing.wallMs + Math.max(0, nowWall - wall));
      timing.cpuMs = round(timing.cpuMs + Math.max(0, nowCpu - cpu));
      // process.memoryUsage() rather than node:v8's heap statistics: the same used heap, without loading node:v8 (~1 ms).
      // It reads /proc as well and throws when that fails (no /proc, no file descriptor left): the last value stays.
      try {
        timing.heapMb = round(process.memoryUsage().heapUsed / MB);
      } catch {
        timing.heapMb = lastHeapMb;
      }
      lastHeapMb = timing.heapMb;
      timing.rssMb = round((usage.maxRSS * 1024) / MB);
      byName.set(stage, timing);
      wall = nowWall;
      cpu = nowCpu;
    },
    stages: () => [...byName.values()].map((t) => ({ ...t })),
  };
}
