/** One line of the audit log: what happened (`event`) and its details. */
export interface AuditEntry {
  event: string;
  [field: string]: unknown;
}
