import type { AlertBase } from '../../model/alert.js';
import { parseDuration } from '../../util/duration.js';
import type { SourceDefinition } from '../types.js';
import { versionProblems, type RawHiveFilter } from './versions.js';
import type { FeedbackDef, TheHiveAlertDef, TheHiveConfig } from './types.js';

/** The default message of a TheHive alert: its own description (not the alertcron alert's), its link and the commands to act on it. */
const HIVE_MESSAGE = '{{fields.description}}\n\nOpen: {{link}}\nPromote to a case: {{promote}}\nIgnore for 30 minutes: {{ignore}}';
const HIVE_TITLE = 'TheHive alert: {{title}} (severity {{severity}}, {{age}} old)';

interface RawHiveAlert {
  thehive?: RawHiveFilter;
  feedback?: FeedbackDef;
  write_back_tag?: string;
  notify?: string[];
  title?: string;
  message?: string;
  throttle?: string;
}

/** The untreated alerts an alert reads when its filter names none: stage New on TheHive 5; not read and not imported on 4.1. */
function untreated(filter: RawHiveFilter, version: 4 | 5): Partial<RawHiveFilter> {
  if (filter.object === 'case') return {};
  if (version === 4) return filter.read === undefined && filter.imported === undefined ? { read: false, imported: false } : {};
  return filter.stage === undefined && filter.status === undefined ? { stage: ['New'] } : {};
}

/** The TheHive source: alerts (or cases) of TheHive's queue, each one a key, read through the v1 query API. */
export const theHiveSource: SourceDefinition<TheHiveAlertDef, TheHiveConfig> = {
  name: 'thehive',
  alertKeys: ['thehive', 'feedback', 'write_back_tag'],
  windowed: false,
  completeConfig(raw) {
    return {
      url: String(raw.url).replace(/\/+$/, ''),
      api_key: String(raw.api_key),
      organisation: raw.organisation as string | undefined,
      timeout: parseDuration((raw.timeout as string | undefined) ?? '30s'),
      version: raw.version === 4 ? 4 : 5,
      max_items: (raw.max_items as number | undefined) ?? 10_000,
    };
  },
  checkAlert(rawAlert, context) {
    const raw = rawAlert as RawHiveAlert;
    const section = context.section as TheHiveConfig | undefined;
    if (!section && !context.sectionUnknown) return { problems: [{ path: ['source'], message: 'alertcron.yaml has no thehive: section to read alerts from' }] };
    const problems = section ? versionProblems(raw.thehive ?? {}, section.version) : [];
    if (raw.feedback && raw.thehive?.object !== 'case') problems.push({ path: ['feedback'], message: 'feedback applies to source: thehive with thehive: { object: case }' });
    return { problems };
  },
  completeAlert(rawAlert, base: AlertBase, context) {
    const raw = rawAlert as RawHiveAlert;
    const filter = raw.thehive ?? {};
    const version = (context.section as TheHiveConfig | undefined)?.version ?? 5;
    return {
      ...base,
      source: 'thehive',
      thehive: {
        ...filter,
        ...untreated(filter, version),
        max_age: filter.max_age ? parseDuration(filter.max_age) : undefined,
      },
      feedback: raw.feedback,
      write_back_tag: raw.write_back_tag,
      // Each TheHive alert is its own key: told once, then the escalation ladder takes over.
      throttle: raw.throttle === undefined ? 'once' : base.throttle,
      title: raw.title ?? HIVE_TITLE,
      message: raw.message ?? HIVE_MESSAGE,
    };
  },
  // What `hive promote` and `hive ignore --for 30m` do, from the notice itself.
  chatActions: [
    { name: 'promote', label: 'Promote', op: 'promote' },
    { name: 'ignore', label: 'Ignore 30m', op: 'ignore', forMs: 1_800_000 },
  ],
  async load(section) {
    const { TheHiveSource } = await import('./source.js');
    return new TheHiveSource(section);
  },
};
