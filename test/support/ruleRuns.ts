import assert from 'node:assert/strict';
import type { Project } from './project.js';
import { iso } from './world.js';

/** One run's titles of the findings it notified about, per alert (sorted), from `run --json`. */
export interface RunTitles {
  [alert: string]: string[];
}

/** Runs `alertcron run --json` with the clock set to `now` and returns the report; the run must succeed. */
export async function runAt(project: Project, now: number): Promise<any> {
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(now) });
  assert.equal(result.code, 0, `run at ${iso(now)} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The titles of the findings a run sent a notice for, per alert, sorted (alerts without any are left out). */
export function notifiedTitles(report: any): RunTitles {
  const out: RunTitles = {};
  for (const alert of report.alerts as { name: string; status: string; error?: string; findings: { title: string; notify: boolean }[] }[]) {
    assert.notEqual(alert.status, 'error', `alert ${alert.name}: ${alert.error}`);
    const titles = alert.findings.filter((f) => f.notify).map((f) => f.title).sort();
    if (titles.length) out[alert.name] = titles;
  }
  return out;
}

/** One event with a time and any fields (dotted names become nested objects). */
export function event(at: number, fields: Record<string, unknown>): Record<string, unknown> {
  const doc: Record<string, unknown> = { '@timestamp': new Date(at).toISOString() };
  for (const [path, value] of Object.entries(fields)) {
    const parts = path.split('.');
    let node = doc;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return doc;
}
