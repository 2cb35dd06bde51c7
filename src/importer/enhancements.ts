import { quoteData } from './quote.js';
import { whereOf, type ElastAlertRule } from './readRules.js';

/** ElastAlert2's own enhancement, which only rewrites `@timestamp` for people to read: no logic of the rule's lives in it. */
const TIME_ENHANCEMENT = new Set(['TimeEnhancement', 'elastalert.enhancements.TimeEnhancement']);

/** The rule keys this check reads (they are never "not converted" notes of their own). */
export const ENHANCEMENT_KEYS = ['match_enhancements', 'run_enhancements_first'] as const;

/**
 * Refuses a rule whose `match_enhancements` name a Python class (a `BaseEnhancement` can rewrite a match or drop it
 * with `DropMatchException`: an alert without it could notify on every match the class drops), naming the file:line
 * of the first class and every class; ElastAlert2's `TimeEnhancement` and `run_enhancements_first` alone are notes.
 */
export function enhancementRefusal(rule: ElastAlertRule, note: (key: string, message: string) => void): { where: string; option: string; message: string } | undefined {
  const value = rule.value.match_enhancements;
  const listed = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  const origin = rule.origin.get('match_enhancements');
  const classes = listed.map((entry, index) => ({ name: String(entry), index })).filter((c) => !TIME_ENHANCEMENT.has(c.name.trim()));
  const first = rule.value.run_enhancements_first === true;
  if (!classes.length) {
    if (listed.length) note('match_enhancements', 'ElastAlert2\'s TimeEnhancement only rewrites @timestamp for people: not needed, templates show the field as stored');
    if (first) note('run_enhancements_first', 'not converted: no match_enhancements to run');
    return undefined;
  }
  const where = origin ? whereOf(Array.isArray(value) ? { yaml: origin.yaml, path: [...origin.path, classes[0]!.index] } : origin, Array.isArray(value) ? false : true) : rule.file;
  const names = classes.map((c) => `"${quoteData(c.name)}"`).join(', ');
  const when = first ? ' (run_enhancements_first: before realert and aggregation count a match)' : '';
  return {
    where,
    option: 'match_enhancements',
    message: `the Python enhancement ${names} rewrites or drops this rule's matches${when} in code alertcron cannot run: not converted (without it the alert would notify on every match it drops); write its logic as the alert's query or a script condition (condition: {type: script}), then write the alert by hand: skipped`,
  };
}

