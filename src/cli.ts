import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ProblemsError, formatProblem } from './config/problems.js';
import { ExitCode, UserError, errorMessage } from './util/errors.js';
import { redact } from './util/redact.js';
import { writeRefused } from './util/writeRefused.js';
import { packageRoot } from './util/packageRoot.js';
import { refuseSplitDurations } from './commands/durationOption.js';
import { cronLine } from './commands/cronLine.js';
import { writeLogLinesTo } from './notify/channels/log/output.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  everything ran and every notification was delivered
  2  invalid configuration (alertcron.yaml, or an alert that was skipped)
  3  a source failed (cluster unreachable, search error, timeout)
  4  deliveries failed and are pending for the next run
  5  another run holds the lock on the state file
  6  a file alertcron must write (state, lock, audit log) cannot be written: read-only, no permission, disk full
 64  wrong usage of the command line`;

/** Runs the command line and returns the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(argv[2] === 'run');
  let verbose = argv.includes('--verbose');
  try {
    refuseSplitDurations(argv);
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ExitCode.usage;
    if (error instanceof ProblemsError) {
      for (const problem of error.problems) console.error(redact(formatProblem(problem)));
      return ExitCode.invalidConfig;
    }
    if (error instanceof UserError) {
      console.error(`alertcron: ${redact(error.message)}`);
      return error.exitCode;
    }
    const refused = writeRefused(error);
    if (refused) {
      console.error(`alertcron: ${redact(refused.message)}`);
      return refused.exitCode;
    }
    console.error(`alertcron: internal error: ${redact(errorMessage(error))}`);
    if (verbose && error instanceof Error && error.stack) console.error(redact(error.stack));
    return ExitCode.internal;
  }
}

/** The version in the package's own package.json (one small file read: no JSON import machinery at start-up). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The command line's program. `alertcron run` (what cron starts every minute) gets the run command alone: the other
 * commands' options and help texts, and the program's own help (which finds node and the README), are not built.
 */
function buildProgram(runOnly = false): Command {
  const program = new Command('alertcron')
    .description('Alerts on Elasticsearch/OpenSearch queries by email, Slack, SMS, calls, Telegram and webhooks; meant to be run by cron every minute.')
    .version(packageVersion(), '-V, --version', 'print the version (from the installed package.json)')
    .exitOverride()
    .showHelpAfterError('(run alertcron --help for usage)');
  if (!runOnly) program.addHelpText('after', () => `
Getting started:
  alertcron init /srv/alerts        a commented alertcron.yaml, one example alert and query
  alertcron validate --cluster      check the folder, then each alert against the cluster
  alertcron test <alert> --from 1h  what a run finds and would send, and the last hour's hits (sends nothing)
  alertcron test <alert> --backtest 7d   how many notices it would have sent last week, to tune it
  alertcron import elastalert rules/ --config config.yaml --out .   start from ElastAlert2 rules

Crontab line (crontab -e), as init prints it: with a PATH where cron's own (/usr/bin:/bin) would not find this alertcron and node:
  ${cronLine('/srv/alerts')}

Docs: ${join(packageRoot(), 'README.md')} (a five-minute start and a map of the pages in docs/ beside it)
${EXIT_CODES_HELP}`);
  // A command asked for --json keeps stdout for that one document: log channels write their notices to stderr.
  program.hook('preAction', (_program, command) => {
    if (command.opts().json) writeLogLinesTo(process.stderr);
  });
  const configOption = () => new Option('-c, --config <file>', 'the configuration file').default('alertcron.yaml');
  const verboseOption = () => new Option('--verbose', 'more detail, and stack traces on internal errors');
  if (runOnly) return addRunCommand(program, configOption);

  program
    .command('init')
    .description('start an alerts folder: a commented alertcron.yaml, one example alert and query, a .gitignore for state/')
    .argument('[dir]', 'the folder to set up (created if missing)', '.')
    .addOption(verboseOption())
    .addHelpText('after', `
Never overwrites a file: files that are already there are kept, and named.`)
    .action(async (dir: string) => {
      const { initCommand } = await import('./commands/init.js');
      process.exitCode = await initCommand(dir);
    });

  addRunCommand(program, configOption);

  program
    .command('validate')
    .description('check alertcron.yaml, every alert, its query and its script; print every problem with its line (no secrets needed)')
    .addOption(configOption())
    .option('--strict', 'fail on unset secret variables and missing *_file secrets too (for the production host)')
    .option('--cluster', 'also check each alert against the cluster: index pattern, timestamp_field, group_by, query')
    .option('--json', 'print the problems and warnings as JSON, for CI')
    .addOption(verboseOption())
    .addHelpText('after', `
Unset secrets (\${VAR} not in the environment, a missing or unreadable *_file) are warnings naming them:
validate, list, status, silence and ack work without them. validate --strict makes them errors.
Exit codes: 0 valid, 2 problems found, 3 the cluster could not be reached (--cluster).`)
    .action(async (opts) => {
      const { validateCommand } = await import('./commands/validate.js');
      process.exitCode = await validateCommand(opts);
    });

  program
    .command('test')
    .description('run one alert against the real cluster as a run would: the request, the findings and decisions over the window a run searches, then the hits per index and keys over a longer span; warns why it may find nothing')
    .argument('<alert...>', 'the alert name (its file name in alerts/ or a subfolder, without .yaml); with --backtest, several names or folders of alert files')
    .addOption(configOption())
    .option('--from <time>', 'start of the hit summary (default: 5 minutes before --to, or the run\'s window if longer): an ISO time or a duration ago (15m, 2h); it is only counted, not evaluated')
    .option('--to <time>', 'when the run happens: the window it evaluates ends here (less ingest_delay), and so does the hit summary: an ISO time, a duration ago, or now', 'now')
    .option('--send', 'also deliver the notifications of that window and record them in the state file (the alert\'s window does not move)')
    .option('--backtest <span>', 'replay the alert over this past span (7d, 24h) in its own every steps, with its rule state, throttle and resolution: how many notices it would have sent, per key, the busiest hours and a histogram (sends nothing, state untouched)')
    .option('--chunk <n>', 'with --backtest: searches per _msearch request (default 1000, or msearch_chunk if larger)')
    .option('--html <file>', 'with --backtest: also write one self-contained chart page of every alert replayed (values per step, threshold, notices sent, held back, resolved, escalated) to this .html file')
    .option('--json', 'print the report as JSON')
    .addOption(verboseOption())
    .addHelpText('after', `
A search alert is evaluated over exactly the window a run searches: its lookback, else one every (each run
searches from where the last one ended), ending ingest_delay before --to; rule types that look further back
(frequency's timeframe ...) search their own span around it, as in a run. --from/--to only widen the hit
summary below the findings (hits in all, per index, keys), printed apart from the hits of the run's own search.
To see what an alert would have sent over a longer past span, replay it with --backtest. TheHive and MaxPatrol
alerts read their queue: --from/--to set the span read (default: what the next run would read).

Examples:
  alertcron test admin-logins                   what a run now would find and send; hits of the last 5 minutes
  alertcron test admin-logins --from 1h         the same run, with the hits of the last hour summed up
  alertcron test admin-logins --backtest 7d     how many notices it would have sent over the last week, to tune it
  alertcron test admin-logins --backtest 7d --json   the same for tools: totals, per key, per hour, histogram
  alertcron test admin-logins vpn-logins --backtest 7d --html report.html   both replayed, one chart page
  alertcron test alerts/auth --backtest 1d --html auth.html   every alert file of a folder, one chart page

A backtest replays the runs the alert would have made (one per every:, each with the window a run would search)
with an empty state of its own, so a new alert's warm-up and first notices count as they would after enabling it.
Silences and acknowledgements are not replayed. Several alerts (names, or folders whose alert files the project
loads) are replayed one after another (MaxPatrol alerts too); TheHive alerts, which read a queue, are skipped
when in a folder (named on stderr).
--json prints one alert's summary, or an array for several; with --html each summary carries its chart data.
Exit code 3 when steps failed (they are named on stderr).`)
    .action(async (alerts: string[], opts) => {
      if (opts.backtest !== undefined) {
        if (opts.from !== undefined || opts.to !== 'now' || opts.send) throw new UserError('--backtest replays its own span and sends nothing: leave out --from, --to and --send', ExitCode.usage);
        const { backtestCommand } = await import('./commands/backtest.js');
        process.exitCode = await backtestCommand(alerts, opts);
        return;
      }
      if (opts.html !== undefined) throw new UserError('--html draws the charts of a backtest: add --backtest <span> (e.g. --backtest 7d)', ExitCode.usage);
      if (alerts.length > 1) throw new UserError(`test runs one alert (${alerts.length} given): to replay several, add --backtest <span>`, ExitCode.usage);
      const { testCommand } = await import('./commands/test.js');
      process.exitCode = await testCommand(alerts[0]!, opts);
    });

  const importing = program.command('import').description('convert rules of another alerting tool into alertcron alerts, queries and channels');
  importing
    .command('sigma')
    .description('write one alert per Sigma rule of the files and folders (read with their subfolders); never writes over a file')
    .argument('<paths...>', 'Sigma rule files (.yml) or folders of them')
    .requiredOption('--index <pattern>', 'the index pattern the alerts search, e.g. winlogbeat-*')
    .option('--pipeline <name or file>', 'field-mapping pipeline: ecs_windows, ecs_windows_audit, opensearch_sa, sysmon, none, or a pySigma pipeline file; repeat it to merge several by priority (default: defaults.sigma.pipeline of the --config file, as at run time, else none)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--out <dir>', 'the alerts folder to write into (created if missing)', 'alerts')
    .option('--notify <channels>', 'comma-separated channels for every alert (default: none, so defaults.sigma.notify routes each rule by its level)')
    .option('--output <dsl|lucene>', 'dsl (default): Sigma\'s case-insensitive matching; lucene: pySigma\'s query_string, byte-identical')
    .option('-c, --config <file>', 'the configuration file whose defaults.sigma the rules are compiled with, as at run time (default: ./alertcron.yaml, if there is one)')
    .option('--json', 'print the report as JSON, for tools')
    .addOption(verboseOption())
    .addHelpText('after', `
Each rule becomes <out>/<rule file name>.yaml (a file of several rules without a correlation: one alert per rule,
<name>-<id>.yaml) whose sigma.rule points at the rule file relative to the out folder: the Sigma file stays the
source of truth, and an edit reaches the next run. A file with a correlation rule becomes one alert that runs it.
Every rule is compiled with the pipeline first: one that cannot be (fieldref, an unknown field under a strict
pipeline, a YAML error ...) is refused and listed on stderr with the reason at file:line; nothing is written for it.
Files that are already there are kept and named, never written over.

Example:
  alertcron import sigma sigma/rules/windows/process_creation --pipeline ecs_windows --index 'winlogbeat-*' --out alerts
  alertcron validate --cluster

Exit codes: 0 every rule converted, 2 a rule was refused (named on stderr), 64 wrong usage.`)
    .action(async (paths: string[], opts) => {
      const { importSigmaCommand } = await import('./commands/import.js');
      process.exitCode = await importSigmaCommand(paths, opts);
    });
  importing
    .command('elastalert')
    .description('convert an ElastAlert2 rules folder (and its config.yaml) into alertcron.yaml channels, alerts/ and queries/; never writes over a file')
    .argument('<rules>', 'the ElastAlert2 rules folder (read with its subfolders; files others import are fragments)')
    .option('--config <file>', 'ElastAlert2\'s config.yaml: the cluster, run_every, and the global defaults of every rule (SMTP ...)')
    .option('--out <dir>', 'the alertcron folder to write into (created if missing)', '.')
    .option('--allow-outside-imports', 'follow import: entries and rule files that lead out of the rules folder (absolute paths, .., symbolic links); refused by default')
    .option('--json', 'print the report as JSON, for tools')
    .addOption(verboseOption())
    .addHelpText('after', `
Converts the rule types (any, frequency, flatline, spike, new_term, cardinality, change, percentage_match,
metric_aggregation, blacklist, whitelist), filters (query_string, term, terms, range, bool, and the legacy and/or/
not/missing forms), query_key (a list: a compound group_by), realert (throttle; default 1m as in ElastAlert2),
exponential_realert (exponential_throttle),
timeframe, run_every, query_delay, alert_subject/alert_text with their args (templates), import: chains, and the
email, slack, telegram, twilio and post/post2 alerters (one channel per distinct set of options).

Literal secrets (webhook URLs, tokens, passwords, header values) become \${ELASTALERT_...} references: the
report lists each variable and where its value was written. Every option it could not convert is listed as
file:line. Files that are already there are kept and named, never written over.

An import: that leads out of the rules folder (an absolute path, .., a symbolic link pointing out) is refused
and its file never read (the rule is skipped, named on stderr), as is a rule file linked from outside, unless
--allow-outside-imports. Notes quote at most an option-like key name of a file (64 characters; other keys by
their length; control characters escaped), never its lines. A webhook URL that carries a token (in its path,
query or user part: Slack, Discord, Teams, Mattermost ...) becomes a variable too.

Example:
  alertcron import elastalert /etc/elastalert/rules --config /etc/elastalert/config.yaml --out /srv/alerts
  cd /srv/alerts && alertcron validate

Exit codes: 0 every rule converted, 2 a rule or file was skipped (named on stderr), 64 wrong usage.`)
    .action(async (rules: string, opts) => {
      const { importCommand } = await import('./commands/import.js');
      process.exitCode = await importCommand(rules, opts);
    });

  program
    .command('list')
    .description('list the alerts with their schedule, channels and last window')
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .addOption(verboseOption())
    .action(async (opts) => {
      const { listCommand } = await import('./commands/list.js');
      process.exitCode = await listCommand(opts);
    });

  const silence = program.command('silence').description('quiet an alert (or one key) for a while, from the shell');
  silence
    .command('add')
    .description('silence an alert, one key (--key) or the keys whose field has a value (--match), for a while')
    .argument('<alert>', 'the alert name')
    .addOption(configOption())
    .option('--key <key>', 'only this key (a group_by value)')
    .option('--match <field=value>', 'only findings whose field has this value, e.g. host.name=dc01')
    .requiredOption('--for <duration>', 'how long, e.g. 30m, 2h, 1d')
    .requiredOption('--comment <text>', 'why: shown in silence list and status')
    .option('--author <name>', 'who (default: $USER)')
    .addOption(verboseOption())
    .action(async (alert: string, opts) => {
      const { silenceAddCommand } = await import('./commands/silence.js');
      process.exitCode = await silenceAddCommand(alert, opts);
    });
  silence
    .command('list')
    .description('list the active silences: who, why, until when')
    .addOption(configOption())
    .option('--all', 'include the ones that ended')
    .option('--json', 'print as JSON')
    .addOption(verboseOption())
    .action(async (opts) => {
      const { silenceListCommand } = await import('./commands/silence.js');
      process.exitCode = await silenceListCommand(opts);
    });
  silence
    .command('expire')
    .description('end a silence now')
    .argument('<id>', 'the silence id (from silence list)')
    .addOption(configOption())
    .addOption(verboseOption())
    .action(async (id: string, opts) => {
      const { silenceExpireCommand } = await import('./commands/silence.js');
      process.exitCode = await silenceExpireCommand(id, opts);
    });

  program
    .command('ack')
    .description('acknowledge a firing alert (or one key): no repeats until it stops matching')
    .argument('<alert>', 'the alert name')
    .addOption(configOption())
    .option('--key <key>', 'only this key')
    .option('--by <name>', 'who (default: $USER)')
    .addOption(verboseOption())
    .addHelpText('after', `
With hosts sharing the cluster state the ack is queued for the host holding the alert, which applies it at its
next run (within a minute); a key that is not firing is refused (exit 64), as with one host.`)
    .action(async (alert: string, opts) => {
      const { ackCommand } = await import('./commands/ack.js');
      process.exitCode = await ackCommand(alert, opts);
    });

  const hive = program.command('hive').description('act on TheHive alerts from the shell (the commands notifications carry)');
  hive
    .command('promote')
    .description('create a case from a TheHive alert and print its link')
    .argument('<alertId>', 'the TheHive alert id, e.g. ~123456')
    .addOption(configOption())
    .addOption(verboseOption())
    .action(async (id: string, opts) => {
      const { hivePromoteCommand } = await import('./commands/hive.js');
      process.exitCode = await hivePromoteCommand(id, opts);
    });
  hive
    .command('ignore')
    .description('stop notices and escalation for a TheHive alert for a while')
    .argument('<alertId>', 'the TheHive alert id')
    .addOption(configOption())
    .requiredOption('--for <duration>', 'how long, e.g. 30m')
    .option('--comment <text>', 'why')
    .option('--author <name>', 'who (default: $USER)')
    .addOption(verboseOption())
    .action(async (id: string, opts) => {
      const { hiveIgnoreCommand } = await import('./commands/hive.js');
      process.exitCode = await hiveIgnoreCommand(id, opts);
    });

  const maxpatrol = program.command('maxpatrol').description('act on MaxPatrol SIEM incidents from the shell (the same actions as the chat buttons)');
  for (const [action, what] of [
    ['confirm', 'confirm an incident: its status becomes Approved (taken into work)'],
    ['close', 'close an incident (e.g. as a false positive): its status becomes Closed, with a comment naming you'],
  ] as const) {
    maxpatrol
      .command(action)
      .description(what)
      .argument('<incident>', 'the incident key, e.g. INC-123 (or its id)')
      .addOption(configOption())
      .option('--by <name>', 'who, written into the comment (default: $USER)')
      .option('--comment <text>', 'added to the comment MaxPatrol keeps with the status change')
      .addOption(verboseOption())
      .action(async (incident: string, opts) => {
        const { maxPatrolCommand } = await import('./commands/maxpatrol.js');
        process.exitCode = await maxPatrolCommand(action, incident, opts);
      });
  }

  program
    .command('state')
    .description('where the state lives: state migrate --to cluster|file moves it between the file and the cluster backend')
    .command('migrate')
    .description('move the state to the other backend under the lock, verify it, keep a backup, and set state.backend in alertcron.yaml')
    .addOption(configOption())
    .requiredOption('--to <backend>', 'cluster (an index of the elasticsearch: cluster, shared by several hosts) or file')
    .addOption(verboseOption())
    .addHelpText('after', `
Runs while cron goes on: it takes the same lock (and the cluster's lease) a run takes, so no run writes
meanwhile. The copy it moved from is kept as state/state-backup-<backend>-<time>.json. Moving to the file
leaves the cluster's lease held by a marker, so that a second host still set to the cluster stops (exit 5)
instead of running on old state. See docs/hosts.md.`)
    .action(async (opts) => {
      const { stateMigrateCommand } = await import('./commands/stateMigrate.js');
      process.exitCode = await stateMigrateCommand(opts);
    });

  program
    .command('host')
    .description('hosts sharing a cluster state: host leave hands this host\'s share of the alerts to the others at once')
    .command('leave')
    .description('stop this host sharing the alerts: mark its heartbeat leaving and release the partitions it holds, so the other hosts take them at their next run')
    .addOption(configOption())
    .addOption(verboseOption())
    .addHelpText('after', `
For state.backend: cluster only. Remove this host's cron line first: its next run would clear "leaving" and
take a share again. Waits for a run of this host in progress (its lock, up to state.lock_wait). Without it, a
host that simply stops running keeps its partitions until its heartbeat is older than state.host_ttl (90s),
and a host killed mid-run keeps them until its leases run out (state.partition_lease, 30s, plus
state.max_clock_skew). See docs/hosts.md.

Exit codes: 0 done, 3 the cluster could not be reached (run it again), 5 a run of this host held its lock
longer than state.lock_wait, 64 this project keeps its state in a file.`)
    .action(async (opts) => {
      const { hostLeaveCommand } = await import('./commands/host.js');
      process.exitCode = await hostLeaveCommand(opts);
    });

  const channel = program.command('channel').description('check the channels of alertcron.yaml: list them, or send one a test notice before the first incident');
  channel
    .command('list')
    .description('list the channels: type, where their notices go, and whether their secrets are set (sends nothing)')
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .addOption(verboseOption())
    .action(async (opts) => {
      const { channelListCommand } = await import('./commands/channelList.js');
      process.exitCode = await channelListCommand(opts);
    });
  channel
    .command('test')
    .description('send a clearly marked test notice (host, channel, time) through one channel, with its secrets, and print what the provider accepted (message id, SID, chat) or its error')
    .argument('<name>', 'the channel name under channels: in alertcron.yaml')
    .addOption(configOption())
    .option('--json', 'print the result as JSON')
    .addOption(verboseOption())
    .addHelpText('after', `
Where it goes: email and Twilio SMS/call to each recipient in to:, a Telegram bot to chat_id and every chat its
administrator allowed, a Slack app to its channel, a Slack or plain webhook to its URL. It is delivered like a
notice of a run (attempt_timeout, retries, Retry-After), but it is no alert's notice: it takes no lock and is
written neither to the state nor to the audit log.
PagerDuty and Opsgenie get a test alert of its own (severity info, priority P5): it stays open until you close it.

Exit codes: 0 the provider accepted it (for every recipient), 4 it refused it or could not be reached (the error is
printed, secrets redacted), 2 a secret of the channel is not set, 64 no channel of that name (the names are listed).`)
    .action(async (name: string, opts) => {
      const { channelTestCommand } = await import('./commands/channelTest.js');
      process.exitCode = await channelTestCommand(name, opts);
    });

  program
    .command('status')
    .description('what alertcron is doing: last run, windows, firing keys, alerts that cannot fire (and why), pending deliveries, silences, Telegram bot chats (allowed, waiting, banned) and the latest chat actions, conversations of ask alerts; with the cluster backend, the hosts sharing it (live or why not, last heartbeat, last run, partitions held) and the latest takeovers')
    .addOption(configOption())
    .option('--json', 'print as JSON, for scripts')
    .option('--html <file>', 'write it as one self-contained HTML page (no script, nothing secret; the same page monitoring.status_page gets after each run) instead of printing it')
    .addOption(verboseOption())
    .action(async (opts) => {
      const { statusCommand } = await import('./commands/status.js');
      process.exitCode = await statusCommand(opts);
    });

  return program;
}

/** Adds `run` to the program (and returns the program). */
function addRunCommand(program: Command, configOption: () => Option): Command {
  program
    .command('run')
    .description('run every due alert once: read chat actions (Telegram bot presses and commands, Slack app reactions and replies), search, decide, notify, record (what cron calls)')
    .addOption(configOption())
    .option('--only <alerts...>', 'run only these alerts')
    .option('--dry-run', 'show what would be sent; touch neither state nor channels')
    .option('--json', 'print the run report as JSON on stdout')
    .addOption(new Option('--verbose', 'print what each alert found, where each notification went, and, for an alert that found nothing, its hits and why (index, timestamp_field, group_by)'))
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (opts) => {
      const { runCommand } = await import('./commands/run.js');
      process.exitCode = await runCommand(opts);
    });
  return program;
}
