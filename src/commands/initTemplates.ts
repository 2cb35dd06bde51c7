/** The example alert `alertcron init` writes; its file name is the alert's name. */
export const EXAMPLE_ALERT = 'example-errors';

/** The files `alertcron init` writes, by path in the new folder; `schemaDir` is where the JSON Schemas are installed. */
export function initFiles(schemaDir: string | undefined): Record<string, string> {
  const schema = (name: string) => (schemaDir ? `# yaml-language-server: $schema=${schemaDir}/${name}.schema.json\n` : '');
  return {
    'alertcron.yaml': `${schema('alertcron')}# alertcron: the cluster to search, the channels alerts notify, and the defaults of every alert.
# Secrets are never written here: use \${ENV_VAR} (set it in the crontab) or <key>_file: /path/to/file.
# Check this folder with: alertcron validate   (and alertcron validate --cluster once the cluster is reachable)

elasticsearch:
  url: http://localhost:9200          # your Elasticsearch or OpenSearch (no credentials in the URL)
  # username: alertcron               # Basic auth ...
  # password: \${ES_PASSWORD}
  # api_key: \${ES_API_KEY}            # ... or an API key
  # ca_file: /etc/alertcron/ca.pem    # the CA of the cluster's certificate
  timeout: 30s

channels:                             # alerts name these under notify:
  soc-email:                          # SMTP; recipients come only from here
    type: email
    host: localhost
    port: 25                          # 587 with starttls: require, or 465 with secure: true
    # starttls: require               # auto (default) | require | ignore
    # username: alertcron@example.org
    # password: \${SMTP_PASSWORD}
    from: alertcron@example.org
    to: [soc@example.org]
  # soc-slack:                        # a Slack incoming webhook
  #   type: slack
  #   webhook_url: \${SLACK_WEBHOOK_URL}
  # Also: slack-app, twilio-sms, twilio-call, telegram (a bot with buttons: bot: true), webhook, thehive (see docs/channels/),
  # and pagerduty, opsgenie, teams, google-chat, discord, mattermost, jira, alertmanager, command, log
  # (each with its setup step by step in docs/channels/<type>.md).

defaults:                             # every alert inherits these unless it sets its own
  every: 1m                           # how often it runs (cron calls alertcron run every minute)
  throttle: 30m                       # per key: no repeat notification sooner than this
  first_lookback: 5m                  # how far back the very first run searches
  timestamp_field: "@timestamp"       # the time field the run's window applies to

state:                                # alertcron's memory (windows, keys, pending deliveries): keep it out of git
  file: state/state.json
  audit_log: state/audit.log          # one JSON line per decision and delivery
  # backend: cluster                  # hosts sharing the alerts: the state in the cluster (docs/hosts.md)
`,
    [`alerts/${EXAMPLE_ALERT}.yaml`]: `${schema('alert')}# One alert per file: the file name (${EXAMPLE_ALERT}) is the alert's name.
# Try it without sending anything: alertcron test ${EXAMPLE_ALERT} --from 1h
description: Error events, one notification per host
index: logs-*                         # an index name or pattern
query: ${EXAMPLE_ALERT}.json          # a file in queries/, or an inline query body
lookback: 15m                         # each run (every minute) counts the last 15 minutes; without it a run counts
                                      # only the events since the previous run, and 5 in one minute is rare
condition: { type: count, gte: 5 }    # 5 or more hits per key in those 15 minutes (also: any, buckets, script, and
                                      # ElastAlert2's frequency, flatline, spike, new_term, change ...: see docs/rule-types.md)
group_by: host.name                   # a keyword field (or a list of them): one finding, and one notification, per value
throttle: 30m                         # per host: at most one notification in 30 minutes while it goes on
notify: [soc-email]
title: "{{count}} errors on {{key}}"
message: "{{count}} error events on {{key}} in the 15 minutes between {{from}} and {{to}}. The last one: {{message}}"
`,
    [`queries/${EXAMPLE_ALERT}.json`]: `${JSON.stringify({ query: { term: { 'log.level': 'error' } } }, null, 2)}\n`,
    '.gitignore': '# alertcron state (windows, keys, pending deliveries, audit log): local to this host, never committed\nstate/\n',
  };
}
