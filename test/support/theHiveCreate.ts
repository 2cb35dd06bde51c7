// Alert creation of a fake TheHive: POST /api/v1/alert (TheHive 5: observables in the body) and, on TheHive 4.1,
// POST /api/alert (v0: artifacts, customFields as {name: {string: v, order}}). What the real servers check and answer:
// TheHive 4.1.24 AlertSrv.create (a duplicate type:source:sourceRef is CreateError "Alert t:s:r already exist in
// organisation o", HTTP 400), ScalliGraph's FieldsParser (a missing or malformed attribute is AttributeCheckingError),
// CustomFieldSrv/ObservableTypeSrv getOrFail (an unknown custom field or data type is NotFoundError, 404).
import type { Answer } from './httpRecorder.js';
import type { FakeHiveAlert } from './theHiveModel.js';

/** TheHive's default observable data types. */
export const DATA_TYPES = ['autonomous-system', 'domain', 'file', 'filename', 'fqdn', 'hash', 'hostname', 'ip', 'mail', 'mail-subject', 'other', 'regexp', 'registry', 'uri_path', 'url', 'user-agent'];

type Body = Record<string, unknown>;
interface Fake {
  version: 4 | 5;
  customFieldNames: string[];
  now: () => number;
}
interface Where {
  org: string;
  /** Whether the request came through the v0 API (TheHive 4.1's /api/alert). */
  v0: boolean;
  add: (fields: Partial<FakeHiveAlert> & { title: string; _createdAt: number }) => FakeHiveAlert;
  /** The organisation's alerts. */
  visible: FakeHiveAlert[];
}

const attributeError = (errors: { name: string; type: string; message: string }[]): Answer => ({
  status: 400,
  body: { type: 'AttributeCheckingError', message: errors.map((e) => `[${e.message}]`).join(''), errors },
});

/** Checks and stores one alert; answers 201 with it (v0: with `id` and `artifacts`), or TheHive's error. */
export function createAlert(fake: Fake, text: string, where: Where): Answer {
  let body: Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    return { status: 400, body: { type: 'BadRequest', message: 'Invalid Json' } };
  }
  const errors: { name: string; type: string; message: string }[] = [];
  for (const name of ['type', 'source', 'sourceRef', 'title', 'description']) {
    if (typeof body[name] !== 'string') errors.push({ name, type: 'MissingAttributeError', message: `Attribute ${name} is missing` });
  }
  const range = (name: string, low: number, high: number) => {
    const value = body[name];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= low && (value as number) <= high)) {
      errors.push({ name, type: 'InvalidFormatAttributeError', message: `Invalid format for ${name}: ${JSON.stringify(value)}, expected an integer from ${low} to ${high}` });
    }
  };
  range('severity', 1, 4);
  range('tlp', 0, fake.version === 4 ? 3 : 4);
  range('pap', 0, 3);
  if (errors.length) return attributeError(errors);
  const observables = ((where.v0 ? body.artifacts : body.observables) ?? []) as { dataType: string; data: string; tags?: string[] }[];
  const unknownType = observables.find((o) => !DATA_TYPES.includes(o.dataType));
  if (unknownType) return { status: 404, body: { type: 'NotFoundError', message: `ObservableType ${unknownType.dataType} not found` } };
  // ObservableSrv.create: one (data type, data) per alert, else CreateError (TheHive issue 1514).
  const twice = observables.find((o, i) => observables.findIndex((p) => p.dataType === o.dataType && p.data === o.data) !== i);
  if (twice) return { status: 400, body: { type: 'CreateError', message: 'Observable already exists' } };
  const customFields = customFieldList(body.customFields);
  const unknownField = customFields.find((f) => !fake.customFieldNames.includes(f.name));
  if (unknownField) return { status: 404, body: { type: 'NotFoundError', message: `CustomField ${unknownField.name} not found` } };
  const [type, source, sourceRef] = [body.type, body.source, body.sourceRef] as string[];
  if (where.visible.some((a) => a.type === type && a.source === source && a.sourceRef === sourceRef)) {
    return { status: 400, body: { type: 'CreateError', message: `Alert ${type}:${source}:${sourceRef} already exist in organisation ${where.org}` } };
  }
  const alert = where.add({
    type,
    source,
    sourceRef,
    title: body.title as string,
    description: body.description as string,
    severity: (body.severity as number | undefined) ?? 2,
    tags: [...new Set((body.tags as string[] | undefined) ?? [])],
    tlp: (body.tlp as number | undefined) ?? 2,
    pap: (body.pap as number | undefined) ?? 2,
    date: body.date,
    customFields,
    observables,
    observableCount: observables.length,
    _createdAt: fake.now(),
  });
  return { status: 201, body: where.v0 ? { ...alert, id: alert._id, artifacts: observables } : alert };
}

/** Custom fields as TheHive 5 takes them ([{name, value}]) from either form (v0: {name: {string: v, order}} or {name: v}). */
function customFieldList(raw: unknown): { name: string; value: unknown }[] {
  if (Array.isArray(raw)) return raw.map((f: { name: string; value: unknown }) => ({ name: f.name, value: f.value }));
  if (!raw || typeof raw !== 'object') return [];
  return Object.entries(raw as Body).map(([name, v]) => ({ name, value: v && typeof v === 'object' ? Object.entries(v).find(([k]) => k !== 'order')?.[1] : v }));
}
