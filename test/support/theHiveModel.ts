// What a fake TheHive's objects look like, per version: TheHive 5 (thehive4py OutputAlert/OutputCase) and
// TheHive 4.1 (TheHive 4.1.24 controllers/v1 Properties and Conversion). See protocols-wave2.md section 6.

/** An alert (or case) as TheHive's v1 API returns it: the fields alertcron and the tests use, and the rest. */
export interface FakeHiveAlert {
  _id: string;
  _type: 'Alert' | 'Case';
  _createdAt: number;
  title: string;
  description: string;
  severity: number;
  tags: string[];
  /** TheHive 5 only. */
  stage?: string;
  /** TheHive 5 alerts and cases; TheHive 4.1 cases (Open, Resolved ...). */
  status?: string;
  caseId?: string;
  [field: string]: unknown;
}

const LEVELS = ['', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const TLP = ['WHITE', 'GREEN', 'AMBER', 'RED'];

/** TheHive 5's default alert statuses and the stage each one means. */
export const ALERT_STATUSES: Record<string, string> = { New: 'New', InProgress: 'InProgress', Imported: 'Imported', Duplicated: 'Closed', FalsePositive: 'Closed', Ignored: 'Closed', Other: 'Closed', TruePositive: 'Closed' };
/** TheHive 5's default case statuses and the stage each one means. */
export const CASE_STATUSES: Record<string, string> = { New: 'New', InProgress: 'InProgress', Duplicated: 'Closed', FalsePositive: 'Closed', Indeterminate: 'Closed', Other: 'Closed', TruePositive: 'Closed' };

/** A TheHive alert of the given version with every field the real one has, `fields` applied over the defaults. */
export function makeAlert(version: 4 | 5, id: string, fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }): FakeHiveAlert {
  const common = {
    _id: id,
    _type: 'Alert' as const,
    _createdBy: 'siem@soc.example',
    type: 'siem',
    source: 'siem-prod',
    sourceRef: `ref${id.slice(1)}`,
    description: '',
    severity: 3,
    date: fields._createdAt,
    tags: [] as string[],
    tlp: 2,
    pap: 2,
    follow: true,
    customFields: [],
    observableCount: 0,
    extraData: {},
  };
  if (version === 4) return { ...common, read: false, ...fields };
  const alert: FakeHiveAlert = { ...common, status: 'New', stage: 'New', newDate: fields._createdAt, timeToDetect: 0, ...fields };
  return labelled(alert);
}

/** A TheHive case of the given version with every field the real one has (number, startDate, flag ...). */
export function makeCase(version: 4 | 5, id: string, number: number, fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }): FakeHiveAlert {
  const common = {
    _id: id,
    _type: 'Case' as const,
    _createdBy: 'analyst@soc.example',
    number,
    description: '',
    severity: 2,
    startDate: fields._createdAt,
    tags: [] as string[],
    flag: false,
    tlp: 2,
    pap: 2,
    assignee: 'analyst@soc.example',
    customFields: [],
    extraData: {},
  };
  if (version === 4) return { ...common, status: 'Resolved', ...fields };
  return labelled({ ...common, status: 'TruePositive', stage: 'Closed', ...fields });
}

/** Adds TheHive 5's label fields (severityLabel, tlpLabel, papLabel) from their numbers. */
function labelled(object: FakeHiveAlert): FakeHiveAlert {
  return { ...object, severityLabel: LEVELS[object.severity] ?? '', tlpLabel: TLP[object.tlp as number] ?? '', papLabel: TLP[object.pap as number] ?? '' };
}

/** The properties a query may filter or sort on, per version and object (an unknown one is a 400 BadRequest). */
export function queryable(version: 4 | 5, type: 'Alert' | 'Case'): Set<string> {
  const common = ['_id', '_createdAt', '_createdBy', '_updatedAt', '_updatedBy', 'title', 'description', 'severity', 'tags', 'tlp', 'pap', 'customFields', 'summary'];
  const alert = ['type', 'source', 'sourceRef', 'date', 'follow', 'caseId', 'observableCount'];
  const kase = ['number', 'startDate', 'endDate', 'flag', 'status', 'assignee'];
  if (type === 'Case') return new Set([...common, ...kase, ...(version === 5 ? ['stage'] : [])]);
  return new Set([...common, ...alert, ...(version === 5 ? ['status', 'stage', 'assignee'] : ['read', 'imported'])]);
}

/** The fields a PATCH may set, per version (TheHive 4.1 has no addTags, removeTags or alert status). */
export function updatable(version: 4 | 5, type: 'Alert' | 'Case'): Set<string> {
  const common = ['title', 'description', 'severity', 'tags', 'tlp', 'pap', 'summary', 'customFields'];
  if (version === 4) return new Set([...common, ...(type === 'Alert' ? ['read', 'follow', 'type', 'source', 'sourceRef', 'date'] : ['status', 'flag', 'assignee'])]);
  return new Set([...common, 'addTags', 'removeTags', 'status', 'assignee', ...(type === 'Alert' ? ['follow', 'type', 'source', 'sourceRef', 'date'] : ['flag'])]);
}
