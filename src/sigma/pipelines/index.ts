// The pipelines alertcron ships, by the name an alert gives under `sigma.pipeline`: each is one or more pipelines in
// pySigma's format, merged by priority with any others the alert names.
import type { PipelineDefinition } from '../pipeline/types.js';
import { ecsWindows } from './generated/ecsWindows.js';
import { sysmon } from './generated/sysmon.js';
import { windowsAudit } from './generated/windowsAudit.js';
import { opensearchSa } from './generated/opensearchSa.js';

/** Shipped profile name -> the pipelines it is made of. */
export const SHIPPED_PIPELINES: Readonly<Record<string, readonly PipelineDefinition[]>> = {
  /** Winlogbeat 7+ / Elastic Agent with Sysmon: pySigma's `-p sysmon -p ecs_windows` (and ECS's ip-typed fields). */
  ecs_windows: [sysmon, ecsWindows],
  /** Winlogbeat 7+ / Elastic Agent without Sysmon (Windows audit events): pySigma's `-p windows-audit -p ecs_windows` (and ECS's ip-typed fields). */
  ecs_windows_audit: [windowsAudit, ecsWindows],
  /** OpenSearch Security Analytics' Windows log type field names. */
  opensearch_sa: [opensearchSa],
  /** pySigma's sysmon pipeline alone (an EventID condition per category), to compose with a pipeline file. */
  sysmon: [sysmon],
  /** Fields as the rule writes them. */
  none: [],
};

/** The fields ECS maps as `ip` (facts from the Elastic Common Schema field reference): strings compared with them are searched as addresses. */
const ECS_IP_FIELDS = ['client.ip', 'client.nat.ip', 'destination.ip', 'destination.nat.ip', 'host.ip', 'observer.ip', 'related.ip', 'server.ip', 'server.nat.ip', 'source.ip', 'source.nat.ip', 'threat.indicator.ip', 'threat.enrichments.indicator.ip'];

/** Shipped profile name -> the fields its target index maps as `ip` (as a pipeline file's `field_types` declares them). */
export const SHIPPED_IP_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ecs_windows: ECS_IP_FIELDS,
  ecs_windows_audit: ECS_IP_FIELDS,
};
