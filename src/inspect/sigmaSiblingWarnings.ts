import type { AlertBase } from '../model/alert.js';
import type { Problem } from '../config/problems.js';

/**
 * Warnings for the broken documents of a Sigma file whose alerts run another of its rules (by sigma.id): each at its
 * file:line:col, once per file, naming the alerts that use the file; that rule is neither run nor otherwise reported.
 */
export function sigmaSiblingWarnings(alerts: readonly AlertBase[], display: (path: string) => string): Problem[] {
  const byFile = new Map<string, { problems: { line: number; col: number; message: string }[]; alerts: string[] }>();
  for (const alert of alerts) {
    const rule = (alert as AlertBase & { sigma_rule?: { file: string; siblingProblems?: { line: number; col: number; message: string }[] } }).sigma_rule;
    if (!rule?.siblingProblems?.length) continue;
    const entry = byFile.get(rule.file) ?? { problems: rule.siblingProblems, alerts: [] };
    entry.alerts.push(alert.file);
    byFile.set(rule.file, entry);
  }
  return [...byFile].flatMap(([file, { problems, alerts }]) =>
    problems.map((p) => ({ file: display(file), line: p.line, col: p.col, message: `${p.message} (this rule of the file is not run; ${alerts.join(', ')} run${alerts.length === 1 ? 's' : ''} another of its rules by sigma.id)` })),
  );
}
