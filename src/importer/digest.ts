import { MAX_DURATION, parseDuration } from '../util/duration.js';
import { croniterToCron } from './cronSchedule.js';
import { quoteData } from './quote.js';

/** A duration converter (ElastAlert2's `{hours: 1}` to `1h`), the importer's own. */
type DurationOf = (value: unknown) => string | undefined;

/** The digest keys of an ElastAlert2 rule that this conversion reads (and so marks as used). */
export const DIGEST_KEYS = ['aggregation', 'aggregation_key', 'summary_table_fields', 'summary_table_max_rows', 'aggregate_by_match_time', 'summary_table_type', 'summary_prefix', 'summary_suffix', 'aggregation_alert_time_compared_with_timestamp_field'] as const;

/** The digest schema's bounds: most per fields, table columns, and rows listed. */
const MAX_PER = 10;
const MAX_FIELDS = 20;
const MAX_ROWS = 1000;

/** A list of field names, or one: what `per` and `fields` take; undefined for any other shape. */
function fieldList(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  return Array.isArray(list) && list.length > 0 && list.every((f) => typeof f === 'string' && f) ? (list as string[]) : undefined;
}

/**
 * The alert's `digest:` block from ElastAlert2's aggregation: `aggregation: {hours: 1}` is `every`, `{schedule:
 * '<cron>'}` is `schedule` in UTC (croniter's clock in ElastAlert2), `aggregation_key` is `per`,
 * `summary_table_fields` is `fields`, `summary_table_max_rows` is `max_rows`, `aggregate_by_match_time` is
 * `by_match_time`. Undefined when the rule does not aggregate (or its period cannot be converted); every option
 * that does not map is a note.
 */
export function convertDigest(v: Record<string, unknown>, durationOf: DurationOf, note: (key: string, message: string) => void): Record<string, unknown> | undefined {
  const aggregation = v.aggregation;
  if (aggregation === undefined) {
    // Without aggregation, ElastAlert2 reads none of the others: they are named as such.
    for (const key of DIGEST_KEYS) if (key !== 'aggregation' && v[key] !== undefined) note(key, 'not converted: ElastAlert2 reads it only with aggregation, which this rule does not set');
    return undefined;
  }
  const digest: Record<string, unknown> = {};
  const schedule = aggregation && typeof aggregation === 'object' && !Array.isArray(aggregation) ? (aggregation as Record<string, unknown>).schedule : undefined;
  if (schedule !== undefined) {
    const cron = typeof schedule === 'string' ? croniterToCron(schedule) : { problem: 'the schedule must be a cron text such as "0 9 * * 1-5"' };
    if ('problem' in cron) {
      note('aggregation', `not converted: ${cron.problem}; each finding is sent on its own`);
      return undefined;
    }
    digest.schedule = cron.schedule;
    // croniter computes ElastAlert2's send times from the UTC clock.
    digest.timezone = 'UTC';
    if (cron.difference) note('aggregation', cron.difference);
    if (v.aggregate_by_match_time !== undefined) note('aggregate_by_match_time', 'not converted: ElastAlert2 ignores it with a schedule');
  } else {
    const every = durationOf(aggregation);
    if (!every) {
      note('aggregation', 'not converted: must be a time such as {hours: 1} or {schedule: "0 9 * * 1-5"}; each finding is sent on its own');
      return undefined;
    }
    let ms: number;
    try {
      ms = parseDuration(every);
    } catch {
      note('aggregation', `not converted: ${every} is longer than ${MAX_DURATION}, the longest digest period; each finding is sent on its own`);
      return undefined;
    }
    // ElastAlert2 does not aggregate at all when the period is zero.
    if (ms === 0) return undefined;
    digest.every = every;
    if (v.aggregate_by_match_time === true) digest.by_match_time = true;
  }
  if (v.aggregation_key !== undefined) {
    const per = fieldList(v.aggregation_key);
    if (per && per.length <= MAX_PER) digest.per = per.length === 1 ? per[0] : per;
    else note('aggregation_key', `not converted: must be a field name or a list of at most ${MAX_PER}; one digest for the whole alert`);
  }
  if (v.summary_table_fields !== undefined) {
    const entries = Array.isArray(v.summary_table_fields) ? v.summary_table_fields : [v.summary_table_fields];
    // An entry is a field or {path, header}: the path is the column; headings are the field names.
    const paths = entries.map((e) => (e && typeof e === 'object' && !Array.isArray(e) ? (e as Record<string, unknown>).path : e));
    const fields = fieldList(paths);
    if (fields) digest.fields = fields.slice(0, MAX_FIELDS);
    if (fields && fields.length > MAX_FIELDS) note('summary_table_fields', `only the first ${MAX_FIELDS} fields are converted, the most columns a digest has`);
    if (!fields) note('summary_table_fields', 'not converted: must be a list of fields (or of {path, header}); the table lists the alert\'s group_by fields, else the key');
    if (fields && entries.some((e) => e && typeof e === 'object' && (e as Record<string, unknown>).header !== undefined)) note('summary_table_fields', 'a header: is not converted: each column is headed by its field name');
  } else note('aggregation', 'without summary_table_fields ElastAlert2 sent every match\'s text in one message; the digest is a table of the alert\'s group_by fields (else the key) with counts: set digest.fields to choose the columns');
  const max = v.summary_table_max_rows;
  if (max !== undefined) {
    if (Number.isInteger(max) && (max as number) >= 1) digest.max_rows = Math.min(max as number, MAX_ROWS);
    if (Number.isInteger(max) && (max as number) > MAX_ROWS) note('summary_table_max_rows', `lowered to ${MAX_ROWS}, the most rows a digest lists (the rest are counted)`);
    if (!Number.isInteger(max) || (max as number) < 1) note('summary_table_max_rows', `not converted: ${quoteData(max)} is not a whole number of 1 or more; the digest's default applies`);
  }
  if (v.summary_table_type !== undefined && v.summary_table_type !== 'ascii') note('summary_table_type', 'not converted: each channel shows the table in its own format (a text table, HTML in email, a block in Slack)');
  for (const key of ['summary_prefix', 'summary_suffix'] as const) if (v[key] !== undefined) note(key, 'not converted: a digest\'s text is its title and table');
  if (v.aggregation_alert_time_compared_with_timestamp_field !== undefined) note('aggregation_alert_time_compared_with_timestamp_field', 'not converted: a period starts by the run\'s clock (digest.by_match_time: by the event\'s time)');
  return digest;
}
