import type { AlertBase } from '../../model/alert.js';
import { parseDuration } from '../../util/duration.js';
import type { SourceDefinition, SourceProblem } from '../types.js';
import type { FeedbackDef, TheHiveAlertDef, TheHiveConfig } from './types.js';

/** The default message of a TheHive alert: its description, its link and the commands to act on it. */
const HIVE_MESSAGE = '{{description}}\n\nOpen: {{link}}\nPromote to a case: {{promote}}\nIgnore for 30 minutes: {{ignore}}';
const HIVE_TITLE = 'TheHive alert: {{title}} (severity {{severity}}, {{age}} old)';

interface RawHiveAlert {
  thehive?: { object?: 'alert' | 'case'; without_tags?: string[]; severity?: number[]; stage?: string[]; status?: string[]; tags?: string[]; max_age?: string };
  feedback?: FeedbackDef;
  write_back_tag?: string;
  notify?: string[];
  title?: string;
  message?: string;
  throttle?: string;
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
    };
  },
  checkAlert(rawAlert, context) {
    const raw = rawAlert as RawHiveAlert;
    const problems: SourceProblem[] = [];
    if (!context.section) problems.push({ path: ['source'], message: 'alertcron.yaml has no thehive: section to read alerts from' });
    if (raw.feedback && raw.thehive?.object !== 'case') problems.push({ path: ['feedback'], message: 'feedback applies to source: thehive with thehive: { object: case }' });
    return { problems };
  },
  completeAlert(rawAlert, base: AlertBase) {
    const raw = rawAlert as RawHiveAlert;
    const filter = raw.thehive ?? {};
    return {
      ...base,
      source: 'thehive',
      thehive: {
        ...filter,
        stage: filter.stage ?? (filter.status || filter.object === 'case' ? undefined : ['New']),
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
  async load(section) {
    const { TheHiveSource } = await import('./source.js');
    return new TheHiveSource(section);
  },
};
