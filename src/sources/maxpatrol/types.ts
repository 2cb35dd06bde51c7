import type { AlertBase } from '../../model/alert.js';

/** The MaxPatrol SIEM core (the `maxpatrol:` section), secrets resolved. */
export interface MaxPatrolConfig {
  /** The core's API base, e.g. https://siem.example.org (port 443). */
  url: string;
  /** The token endpoint (the management console's, port 3334 by default). */
  token_url: string;
  username: string;
  password: string;
  client_id: string;
  client_secret: string;
  /** The OAuth scope asked for with the password grant. */
  scope: string;
  /** PEM text of the CA that signed the core's certificates (from ca_file), if given. */
  ca?: string;
  ca_file?: string;
  /** Skips TLS verification of both endpoints: only when set explicitly, and warned about by validate. */
  insecure_skip_tls_verify: boolean;
  timeout: number;
  /** Incidents asked for per page of the list. */
  page_size: number;
  /** Most incidents one read goes through; beyond it the read stops, warns, and resolves nothing. */
  max_items: number;
  /** IANA time zone in which times are shown in notices (MaxPatrol returns UTC). */
  time_zone: string;
}

/** Which incidents an alert notifies about; every filter is applied to the listed incidents by alertcron itself. */
export interface MaxPatrolFilter {
  /** Statuses (New, Approved, InProgress, Resolved, Closed); default New. */
  status: string[];
  /** Severities (Low, Medium, High); default all. */
  severity?: string[];
  /** Incident types (the `type` field); default all. */
  type?: string[];
  /** Incidents older than this are no longer read (ms). */
  max_age: number;
  /** Events shown per incident (the first N of the events endpoint). */
  max_events: number;
}

/** An alert over MaxPatrol SIEM incidents: every new incident that matches is a key (INC-123). */
export interface MaxPatrolAlertDef extends AlertBase {
  source: 'maxpatrol';
  maxpatrol: MaxPatrolFilter;
}

/** One row of the incident list (POST /api/v2/incidents/). */
export interface Incident {
  id: string;
  key?: string;
  name?: string;
  category?: string;
  type?: string;
  status?: string;
  severity?: string;
  /** ISO UTC, often with 7 fractional digits. */
  created: string;
  assigned?: unknown;
  isConfirmed?: boolean;
  [field: string]: unknown;
}

/** One event of an incident (GET /api/incidents/{id}/events). */
export interface IncidentEvent {
  id?: string;
  date?: string;
  description?: string;
}

/** What a MaxPatrol alert keeps between runs: where the next read starts, and the events of the incidents still open. */
export interface MaxPatrolCursor {
  /** Creation time (epoch ms) the next list starts from: the oldest matching incident, or the newest seen. */
  from: number;
  /** The first events of each incident that matched at the last read, by incident id (read once per incident). */
  events: Record<string, IncidentEvent[]>;
}
