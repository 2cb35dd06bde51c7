import { randomUUID } from 'node:crypto';
import { loadProject } from '../config/loadProject.js';
import { formatProblem } from '../config/problems.js';
import { displayPath } from '../config/loadAlerts.js';
import { sigmaSiblingWarnings } from '../inspect/sigmaSiblingWarnings.js';
import type { AlertDef, Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import type { ClusterConnection } from '../state/cluster/client.js';
import type { Window } from '../model/window.js';
import { noticeQueue } from '../outbox/enqueue.js';
import { createSenders } from '../outbox/senders.js';
import { muteReason } from '../policy/mute.js';
import { resolveSettingOf } from '../notify/channels/sendResolved.js';
import { rebaseRecords } from '../policy/clockStep.js';
import { pruneState } from '../state/prune.js';
import { forgetReceiptsBefore } from '../state/receipts.js';
import { applyQueuedOps, pruneOps } from '../operations/queuedOps.js';
import { holdsAlert } from '../model/partition.js';
import { lateSetAsideWarning, setAsideFile } from '../state/setAside.js';
import { openStore, StateMovedError, StoreUnavailableError, type StateTransaction } from '../state/store.js';
import { clockFromEnv, leaseNow } from '../util/clock.js';
import { errorMessage, ExitCode, UserError } from '../util/errors.js';
import type { ElasticsearchConfig } from '../sources/elasticsearch/types.js';
import { watchAlertProblems } from './alertProblems.js';
import { AuditLog } from './audit.js';
import { decideStage } from './decideStage.js';
import { digestStage, dropDisabledDigests } from './digest.js';
import { converseStage } from './converse.js';
import { deliverStage } from './deliver.js';
import { fetchAndEvaluate } from './fetchEvaluate.js';
import { alertLookup, inboxStage } from './inbox.js';
import { loadSources, tokensIn } from './loadSources.js';
import { planStage } from './plan.js';
import { exitCodeOf, type RunReport } from './report.js';
import { recordRun } from './runHistory.js';
import { selectAlerts } from './select.js';
import { handOverAsks } from './handOverAsks.js';
import { heldShare, notHeldWarning, partialRunWarning, partitionsReport, takeoverAudit } from './share.js';
import { reportStoreLost } from './storeLost.js';
import { CLOCK_SOURCE, monitorSources, pingHeartbeat } from './selfMonitor.js';
import { watchHosts, watchTakeovers } from './hostMonitor.js';
import { formatDuration } from '../util/duration.js';
import { boundedSignal } from '../util/signal.js';
import { startStageClock, type StageClock } from '../util/stageClock.js';

/** How a run is asked to behave; `run`, `run --dry-run` and `test` all come through here. */
export interface RunOptions {
  configFile: string;
  /** Run only these alerts. */
  only?: string[];
  /** Touch neither state nor channels. */
  dryRun?: boolean;
  /** Search this window instead of the planned one, and do not move the stored windows. */
  window?: Window;
  /** Run the selected alerts even if their `every:` says they are not due. */
  ignoreSchedule?: boolean;
  /** Put each alert's request into the report. */
  includeRequests?: boolean;
  /** Set on the second try of a run whose state moved to the other backend while it waited (it read alertcron.yaml again). */
  afterMove?: boolean;
  /** Warn about template paths that no finding has (for `test`). */
  checkTemplates?: boolean;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  /** When the process started (epoch ms, real time): run.deadline counts from it, so node's own start-up is inside it. */
  processStartedAt?: number;
}

/** When a run started (its clock) and when it must end (epoch ms, real time): a second try keeps the first one's. */
interface RunStart {
  startedAt: number;
  deadlineAt: number;
}

/** Runs the pipeline once: lock, load, inbox, plan, fetch, evaluate, decide, mute, deliver, record, unlock. */
export async function runAlerts(options: RunOptions): Promise<RunReport> {
  const stages = startStageClock();
  stages.mark('start');
  const seen: RunSeen = { realStart: Math.min(Date.now(), options.processStartedAt ?? Infinity) };
  let report: RunReport;
  try {
    report = await runOnce(options, stages, undefined, seen);
  } catch (error) {
    // A run that failed after loading alertcron.yaml still writes its metrics (exit code, last success): they exist to see failures.
    // Its warning (the file cannot be written) is printed at once: the error's message follows it, the run reports nothing else.
    warnNow(await writeMetrics(options, seen, { error }).catch(() => undefined));
    // And its status page, with a banner naming the error (the lock is given back by now).
    warnNow(await writeStatusPage(options, seen, { error }).catch(() => undefined));
    throw error;
  }
  // The state's lock given back, and whatever a run that ended early did after its last stage.
  stages.mark('release');
  report.stages = stages.stages();
  addWarning(report, await writeMetrics(options, seen, { report }));
  addWarning(report, await writeStatusPage(options, seen, { report }));
  return report;
}

/** What the run got to before it ended or failed, for the files written after it: its config, start and state. */
interface RunSeen {
  /** When the process (or else the run) started, epoch ms, real time. */
  realStart: number;
  config?: Config;
  loaded?: LoadedAlerts;
  startedAt?: number;
  /** When the run must end (epoch ms, real time). */
  deadlineAt?: number;
  data?: StateData;
}

/**
 * Writes monitoring.status_page after a run that was not a dry run, once the state's lock is given back, its code
 * loaded only when it is configured; the warning when it is not written.
 */
async function writeStatusPage(options: RunOptions, seen: RunSeen, outcome: { report?: RunReport; error?: unknown }): Promise<string | undefined> {
  const { config, loaded } = seen;
  const file = config?.monitoring.status_page;
  if (!config || !file || !loaded || options.dryRun) return undefined;
  if (seen.deadlineAt !== undefined && Date.now() >= seen.deadlineAt) return `the status page ${file} was not written (monitoring.status_page): the run's deadline (run.deadline) has passed`;
  const { statusPageAfterRun } = await import('../inspect/statusPageFile.js');
  const { report, error } = outcome;
  // A run that failed, or could not reach the state, says so above the state it shows (its message redacted by the page).
  const banner = error !== undefined ? `this run failed: ${errorMessage(error)}` : report?.stateUnavailable ? `this run could not use the state cluster: ${report.stateUnavailable}` : undefined;
  // The file state the run committed is the state as it left it: no second read (a cluster's page also needs its hosts).
  const data = report && config.state.backend === 'file' ? seen.data : undefined;
  // A state the run could not reach is not asked again (a second wait of elasticsearch.timeout, past the deadline): the
  // page says it cannot be read. Any other read is bounded by what is left of the run's deadline.
  const unreachable = report?.stateUnavailable ?? (error instanceof StoreUnavailableError ? errorMessage(error) : undefined);
  const read = async () => (await openStore(config.state, config.sources.elasticsearch as ClusterConnection | undefined, seen.deadlineAt === undefined ? {} : { deadlineAt: seen.deadlineAt })).peek();
  const peek = data
    ? async () => ({ data })
    : unreachable !== undefined
      ? async () => Promise.reject(new Error(unreachable))
      : async () => (seen.deadlineAt === undefined ? read() : withinDeadline(read(), seen.deadlineAt));
  return await statusPageAfterRun(config, loaded, peek, (options.now ?? clockFromEnv(options.env))(), banner);
}

/** The promise's value, or a rejection once the run's deadline has passed (what was asked is left behind: the process exits after the run). */
function withinDeadline<T>(promise: Promise<T>, deadlineAt: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the state was not read before the run's deadline (run.deadline)")), Math.max(0, deadlineAt - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Writes monitoring.metrics_file after a real full run (not a dry run, `--only` or `test`), its code loaded only when it
 * is configured; the warning when it cannot be written.
 */
async function writeMetrics(options: RunOptions, seen: RunSeen, outcome: { report?: RunReport; error?: unknown }): Promise<string | undefined> {
  const { config, startedAt } = seen;
  if (!config?.monitoring.metrics_file || startedAt === undefined || options.dryRun || options.window || options.only?.length) return undefined;
  const { writeRunMetrics } = await import('./metricsFile.js');
  return await writeRunMetrics(config, { startedAt, durationMs: Date.now() - seen.realStart, ...outcome, ...(seen.data ? { data: seen.data } : {}) });
}

/** One try of the run; `begun` is the first try's start and deadline when the state moved under it (one run, one deadline). */
async function runOnce(options: RunOptions, stages: StageClock, begun: RunStart | undefined, seen: RunSeen): Promise<RunReport> {
  const clock = options.now ?? clockFromEnv(options.env);
  const startedAt = begun?.startedAt ?? clock();
  const { config, loaded } = await loadProject(options.configFile, options.env, { stages });
  Object.assign(seen, { config, loaded, startedAt, data: undefined });
  // The run's own deadline, in real time (ALERTCRON_NOW fixes the clock the alerts see, not this one).
  const deadlineAt = begun?.deadlineAt ?? Math.min(Date.now(), options.processStartedAt ?? Infinity) + config.run.deadline;
  seen.deadlineAt = deadlineAt;
  // A plain timer holds it: nothing can collect it before it fires (see boundedSignal).
  const runTimer = boundedSignal([], Math.max(0, deadlineAt - Date.now()));
  try {
    return await runWithin(options, { startedAt, deadlineAt }, runTimer.signal, clock, config, loaded, stages, seen);
  } finally {
    runTimer.done();
  }
}

/** The pipeline of one try, the project loaded, within the run's deadline (`deadline` aborts at it). */
async function runWithin(options: RunOptions, { startedAt, deadlineAt }: RunStart, deadline: AbortSignal, clock: () => number, config: Config, everyAlert: LoadedAlerts, stages: StageClock, seen: RunSeen): Promise<RunReport> {
  const chosen = selectAlerts(everyAlert, options.only);
  const store = await openStore(config.state, config.sources.elasticsearch as ClusterConnection | undefined, { deadlineAt });
  let tx: Pick<StateTransaction, 'data' | 'warning'> & Partial<StateTransaction>;
  try {
    tx = options.dryRun ? await store.peek() : await store.begin(options.window || options.only?.length ? 'partial' : 'run');
  } catch (error) {
    // `state migrate` moved the state while this run waited for it: once more, with alertcron.yaml as it is now.
    if (!(error instanceof StateMovedError) || options.afterMove) throw error;
    // The first try's wait for the lock is the state's time, not the second try's config.
    stages.mark('begin');
    const report = await runOnce({ ...options, afterMove: true }, stages, { startedAt, deadlineAt }, seen);
    report.warnings.unshift('the state moved to the other backend (state migrate) while this run waited for it: it read alertcron.yaml again and ran with its new state.backend');
    return report;
  }
  stages.mark('begin');
  // A cluster that cannot be reached gives only this host's local slices: no state to report (the metrics keep the last).
  seen.data = tx.unavailable ? undefined : tx.data;
  // The shared store lost in the middle of the run (a dropped connection at any step): exit 3 and its notice.
  let storeLost: (() => Promise<RunReport>) | undefined;
  try {
    // Hosts sharing the cluster state: this run works on the alerts of the partitions it holds, and only on them
    // (their digests, problems, pending notices, pruning); the others are their holders'. No ownership: all of them.
    const ownership = tx.ownership;
    const coordinator = !ownership || ownership.coordinator;
    const selected = heldShare(chosen, ownership);
    const fullRun = !options.window && !options.only?.length;
    const report = newReport(startedAt, options, selected.problems.map(formatProblem), tx.warning);
    if (ownership) {
      report.host = ownership.host;
      report.partitions = partitionsReport(ownership);
      addWarning(report, partialRunWarning(fullRun, ownership));
      addWarning(report, notHeldWarning(options.only, ownership, tx.cluster?.leases));
    }
    report.warnings.push(...sigmaSiblingWarnings(chosen.alerts, (path) => displayPath(config, path)).map(formatProblem));
    // The shared state cannot be reached: no alert is evaluated (nothing could be searched either, and its state is
    // unknown); the "cluster down" notice is counted, sent and retried from this host's local memory.
    const storeDown = tx.unavailable;
    if (storeDown) {
      report.stateUnavailable = storeDown;
      report.warnings.push(`the state cluster cannot be used (${storeDown}): no alert was evaluated; the next run resumes where the last one that reached it ended`);
    }
    const audit = new AuditLog(config.state.audit_log, randomUUID(), { maxBytes: config.state.audit_max_size, keep: config.state.audit_keep });
    storeLost = async () => {
      await reportStoreLost(tx as StateTransaction, tx.failed!()!, report, config.monitoring, audit, clock());
      audit.flush();
      report.finishedAt = new Date(clock()).toISOString();
      return report;
    };
    audit.addAll(report.problems.map((problem) => ({ event: 'invalid_alert', problem })));
    audit.addAll(takeoverAudit(ownership));
    const now = clock();
    // Two hosts' clocks may differ by up to max_clock_skew: a time another host stored that far ahead is not a clock that went back.
    const clockTolerance = config.state.backend === 'cluster' ? config.state.max_clock_skew : 0;
    // Times stored while the clock was ahead hold nothing back (policy/clockStep.ts); keys are re-based in the decide stage.
    if (!storeDown) rebaseRecords(tx.data, now, clockTolerance, ownership);
    // Acks and handled keys queued on other hosts for the partitions this run holds: applied before anything is decided.
    if (ownership && !storeDown) audit.addAll(applyQueuedOps(tx.data, ownership, now));
    // Sources that log in keep their token in the state's tokens slice, saved with the run's commit.
    const environment = { tokens: tokensIn(tx.data), now: clock };
    // Chat inboxes are read by the coordinator only (one host a minute reads each bot or channel).
    if (tx.commit && fullRun && !storeDown && coordinator) {
      const loadSource = async (name: string) => (await loadSources(config, [name], environment)).get(name);
      // A notice older than prune_after is forgotten already (pruneState runs after this stage): no action finds it.
      forgetReceiptsBefore(tx.data, now - config.state.prune_after);
      // inbox.messages: the plain text messages people sent the bots in private chats (read once per run, for other consumers).
      const inbox = await inboxStage({ data: tx.data, commit: () => tx.commit!(), ...(ownership ? { ownership } : {}) }, config.channels, loadSource, now, undefined, inboxBudget(config.run.deadline, deadlineAt - Date.now()), alertLookup(everyAlert.alerts, now));
      report.actions = inbox.actions;
      report.warnings.push(...inbox.warnings);
      audit.addAll(inbox.audit);
    }
    // Again after the chat actions (a `*` op queued by one of them); the coordinator forgets the ops done everywhere.
    if (ownership && !storeDown) {
      audit.addAll(applyQueuedOps(tx.data, ownership, now));
      if (ownership.coordinator) pruneOps(tx.data, now);
    }
    stages.mark('inbox');
    const pendingSources = tx.data.pending.flatMap((p) => (p.action ? [p.action.source] : []));
    const planned = planStage(storeDown ? [] : selected.alerts, tx.data, now, { ...options, clockTolerance });
    const sources = await loadSources(config, [...planned.due.map((d) => d.alert.source), ...pendingSources], environment);
    stages.mark('plan');

    audit.addAll(planned.audit);
    // A source's cursor is used only when the run owns the windows (not for `test --from`). Each answer is evaluated
    // as soon as it is final and dropped: the requests too, but for `test`, which shows them.
    // Only a real run watches for alerts that cannot fire (after decide), reading what the answers show about it.
    const watches = !!tx.commit && !options.window && !storeDown;
    const ruleOf = (name: string) => tx.data.alerts[name]?.rule;
    const { fetch: fetched, evaluated } = await fetchAndEvaluate(planned.due, sources, now, deadline, options.window ? undefined : ruleOf, ruleOf, {
      requests: !!options.includeRequests,
      problems: watches,
      // The evaluate stage is what is left to evaluate once the fetch ended.
      fetched: () => stages.mark('fetch'),
    });
    report.sourceRequests = fetched.calls;
    report.sourceElapsedMs = fetched.elapsedMs;
    report.clusterRequests = fetched.calls.elasticsearch ?? 0;
    if (fetched.tookMs.elasticsearch !== undefined) report.clusterTookMs = fetched.tookMs.elasticsearch;
    if (options.checkTemplates) {
      const { unresolvedTemplatePaths } = await import('../render/templateFields.js');
      for (const e of evaluated) if (e.ok) report.warnings.push(...unresolvedTemplatePaths(e.alert, e.findings, e.window));
    }
    stages.mark('evaluate');
    const decided = decideStage(evaluated, tx.data, sources, now, { fixedWindow: !!options.window, includeRequests: !!options.includeRequests, maxFindings: config.run.max_findings, clockTolerance, resolveSetting: resolveSettingOf(config.channels) });
    // Digests whose period is over are sent by every run, whichever alerts were due or failed (not by `test --from`).
    if (!storeDown && !options.window) {
      const digests = digestStage(selected.alerts, tx.data, now);
      decided.deliveries.push(...digests.deliveries);
      decided.audit.push(...digests.audit, ...(fullRun ? dropDisabledDigests(heldShare(everyAlert, ownership).disabled, tx.data, now) : []));
    }
    report.alerts = [...decided.alerts, ...planned.notDue.map((name) => ({ name, status: 'not-due' as const, findings: [] }))];
    report.alerts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    report.warnings.push(...decided.warnings);
    if (planned.clockBack.size) report.warnings.push(clockBackMessage(planned.clockBack));
    audit.addAll(decided.audit);
    stages.mark('decide');
    // A real run also watches for alerts that cannot fire (told once a day; the exit code stays what the run earned).
    const watched = watches
      ? await watchAlertProblems(evaluated, tx.data, { elasticsearch: config.sources.elasticsearch as ElasticsearchConfig | undefined, monitoring: config.monitoring, now, deadline })
      : undefined;
    if (watched) {
      report.warnings.push(...watched.warnings);
      audit.addAll(watched.audit);
      if (watched.requests) report.fieldCheckRequests = watched.requests;
    }
    stages.mark('problems');

    // Ask alerts: their findings become conversations with the people named; escalations join the outbox. The
    // conversations are the coordinator's: another host hands its findings over (data.asks) for it to start them.
    if (tx.commit && !options.window && !coordinator) handOverAsks(tx.data, decided.asks, now);
    else if (tx.commit && !options.window) {
      const talked = await converseStage(config, everyAlert.alerts, tx.data, decided.asks, () => tx.commit!(), deadlineAt, now);
      if (talked) {
        report.conversations = talked.conversations;
        report.warnings.push(...talked.warnings);
        audit.addAll(talked.audit);
      }
    }
    stages.mark('converse');
    const fresh = [...decided.deliveries, ...(watched?.deliveries ?? [])];
    if (fullRun) {
      const health = new Map(fetched.health);
      if (storeDown) health.set('elasticsearch', `the state index cannot be used: ${storeDown}`);
      health.set(CLOCK_SOURCE, planned.clockBack.size ? clockBackMessage(planned.clockBack) : undefined);
      const monitored = monitorSources(config.monitoring, tx.data.sources, health, now, { [CLOCK_SOURCE]: 1 }, ownership?.host ?? (config.state.backend === 'cluster' ? config.state.host_id : undefined));
      Object.assign(tx.data.sources, monitored.health);
      fresh.push(...monitored.deliveries);
      audit.addAll(monitored.audit);
      // The coordinator watches the other hosts' heartbeats: a host that stopped running is told once, its return once.
      if (ownership?.coordinator && tx.cluster && !storeDown) {
        const view = { hosts: tx.cluster.hosts, me: ownership.host, leaseNow: leaseNow(), hostTtlMs: config.state.host_ttl };
        const hosts = watchHosts(config.monitoring, view, tx.data.hostHealth ?? {}, now);
        const takeovers = watchTakeovers(config.monitoring, view, tx.data.hostHealth ?? {}, now);
        const health = { ...hosts.health, ...takeovers.health };
        if (Object.keys(health).length || tx.data.hostHealth) tx.data.hostHealth = health;
        fresh.push(...hosts.deliveries, ...takeovers.deliveries);
        audit.addAll([...hosts.audit, ...takeovers.audit]);
      }
    }
    const muted = muterOf(tx.data, everyAlert.alerts, everyAlert.disabled, everyAlert.invalid, now);
    // Muting when a notice is queued: a silenced or acknowledged key's notice never enters the outbox.
    const queueNotice = noticeQueue(tx.data);
    for (const item of fresh) {
      const why = muted(item);
      if (why) audit.add({ event: 'muted', alert: item.alert, key: item.key, channel: item.channel, reason: item.reason, why, when: 'queued' });
      else {
        // A resolve of this key still pending for the same channel would close the incident this notice reopens.
        for (const stale of queueNotice(item, now)) audit.add({ event: 'resolve_dropped', alert: stale.alert, key: stale.key, channel: stale.channel, id: stale.id, why: `the key fired again before this resolve was accepted (${item.reason} queued for the channel; the next resolved notice closes it)` });
      }
    }
    stages.mark('queue');
    pruneState(tx.data, now, config.state.prune_after, new Set([...everyAlert.alerts.map((a) => a.name), ...everyAlert.disabled, ...everyAlert.invalid]), ownership);
    stages.mark('prune');

    if (!tx.commit || !tx.release) {
      addWarning(report, lateSetAsideWarning(undefined));
      report.exitCode = exitCodeOf(report);
      report.finishedAt = new Date(clock()).toISOString();
      return report;
    }
    // Pending deliveries are on disk before anything is sent: a crash can repeat a message, never lose one.
    if (tx.data.pending.length) await tx.commit();
    audit.flush();
    stages.mark('commit');
    // This host sends the pending notices of the partitions it holds (the others wait for their holders); the
    // notices kept in local memory while the cluster cannot be reached are its own.
    const held = (p: { alert: string }) => !!storeDown || holdsAlert(ownership, p.alert);
    const isSelected = (p: { alert: string }) => (!options.only?.length || options.only.includes(p.alert)) && held(p);
    const senders = createSenders(config.channels, sources, tx.data);
    const alertsByName = new Map<string, AlertDef>(everyAlert.alerts.map((a) => [a.name, a]));
    try {
      const delivered = await deliverStage(tx.data, {
        senders,
        delivery: config.delivery,
        selected: isSelected,
        held,
        muted,
        afterDelivery: (name, reason) => {
          const alert = alertsByName.get(name);
          const action = alert && sources.get(alert.source)?.afterDelivery?.(alert as never, reason);
          return alert && action ? { source: alert.source, ...action } : undefined;
        },
        clock,
        deadlineAt,
        journal: (entry) => tx.journal!(entry),
        ...(tx.claim ? { claim: (items: PendingDelivery[]) => tx.claim!(items, clock()) } : {}),
      });
      report.deliveries = delivered.reports;
      audit.addAll(delivered.audit);
    } finally {
      senders.close();
    }
    stages.mark('deliver');
    report.pending = tx.data.pending.filter(isSelected).length;
    report.exitCode = exitCodeOf(report);
    const lastSuccessAt = report.exitCode === ExitCode.ok ? clock() : tx.data.lastRun?.lastSuccessAt;
    if (fullRun) tx.data.lastRun = { startedAt, finishedAt: clock(), exitCode: report.exitCode, lastSuccessAt };
    if (fullRun) recordRun(tx.data, report, startedAt, tx.data.lastRun!.finishedAt);
    await tx.commit();
    addWarning(report, lateSetAsideWarning(config.state.backend === 'file' ? setAsideFile(config.state.file) : undefined));
    if (tx.stats) report.stateRequests = tx.stats();
    // The lease is given back before the heartbeat, under this host's lock: failing to is the cluster failing too.
    await tx.unlease?.();
    if (tx.failed?.()) return await storeLost();
    stages.mark('record');
    audit.flush();
    stages.mark('audit');
    if (fullRun && report.exitCode === ExitCode.ok) {
      const warning = await pingHeartbeat(config.monitoring, deadlineAt);
      if (warning) report.warnings.push(warning);
    }
    stages.mark('heartbeat');
    report.finishedAt = new Date(clock()).toISOString();
    return report;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError) || !tx.failed?.() || !storeLost) throw error;
    return await storeLost();
  } finally {
    await tx.release?.();
  }
}

/** Adds a warning to the report when there is one. */
function addWarning(report: RunReport, warning: string | undefined): void {
  if (warning) report.warnings.push(warning);
}

/** A warning of a run that ends in an error (no report to carry it): on stderr at once. */
function warnNow(warning: string | undefined): void {
  if (warning) console.error(`warning: ${warning}`);
}

/** An empty report for a run that starts now. */
function newReport(startedAt: number, options: RunOptions, problems: string[], warning: string | undefined): RunReport {
  return {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: '',
    dryRun: !!options.dryRun,
    exitCode: ExitCode.ok,
    problems,
    alerts: [],
    deliveries: [],
    pending: 0,
    clusterRequests: 0,
    sourceRequests: {},
    actions: [],
    warnings: warning ? [warning] : [],
  };
}

/** The muter of this run: the state as it is when asked, the alerts that exist and those switched off. */
function muterOf(data: StateData, alerts: readonly AlertDef[], disabled: readonly string[], invalid: readonly string[], now: number) {
  const defined = new Set([...alerts.map((a) => a.name), ...disabled, ...invalid]);
  const off = new Set(disabled);
  return (item: Parameters<typeof muteReason>[0]) => muteReason(item, { data, defined, disabled: off, now });
}

/** One line saying that the clock went back, by how much, and for which alerts. */
function clockBackMessage(clockBack: ReadonlyMap<string, number>): string {
  const most = Math.max(...clockBack.values());
  const names = [...clockBack.keys()].sort();
  return `the clock went back ${formatDuration(most)} behind the last run (${names.join(', ')}): their windows resume from the last boundary before now instead of waiting for the clock to catch up`;
}

/** The chat inbox stage's share of the run: a quarter of run.deadline, at most 20 s, never more than what is left. */
export function inboxBudget(runDeadlineMs: number, leftMs: number): number {
  return Math.max(0, Math.min(20_000, runDeadlineMs / 4, leftMs));
}
