/** A literal secret found in a rule, to be set in the environment under `variable`. */
export interface SecretVariable {
  variable: string;
  /** Where the literal was written (`file:line`), so the user finds the value to export. */
  where: string;
  /** The option it was written under. */
  option: string;
}

/** A secret value of a channel being built: the literal, the channel key it goes under, and where it was written. */
export interface ChannelSecret {
  /** The channel key (webhook_url, bot_token ...) or a header name for webhooks (`headers.Authorization`). */
  key: string;
  literal: string;
  where: string;
  option: string;
  /** Text kept before the reference, e.g. `Bearer ` of an Authorization header. */
  prefix?: string;
}

/** The channel name prefix per alertcron channel type. */
const PREFIX: Record<string, string> = { email: 'email', slack: 'slack', telegram: 'telegram', 'twilio-sms': 'sms', webhook: 'webhook', thehive: 'thehive' };

/**
 * The channels an import synthesises: one per distinct set of options (two rules that post to the same Slack
 * webhook share one channel), named `<type>-<n>`, with every literal secret replaced by a `${ELASTALERT_...}`
 * reference whose variable is listed.
 */
export class ChannelBook {
  readonly channels = new Map<string, Record<string, unknown>>();
  readonly variables: SecretVariable[] = [];
  private readonly byIdentity = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  /** One variable per secret value: channels that share a credential (an SMTP login) share its variable. */
  private readonly variableOf = new Map<string, string>();

  /** The name of the channel with these options and secrets, creating it the first time. */
  add(config: Record<string, unknown> & { type: string }, secrets: ChannelSecret[]): string {
    const identity = JSON.stringify([config, secrets.map((s) => [s.key, s.literal])]);
    const known = this.byIdentity.get(identity);
    if (known) return known;
    const prefix = PREFIX[config.type] ?? config.type;
    const n = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, n);
    const name = `${prefix}-${n}`;
    const channel: Record<string, unknown> = { ...config };
    for (const secret of secrets) {
      const shared = `${secret.key}\u0000${secret.literal}`;
      const known = this.variableOf.get(shared);
      const variable = known ?? `ELASTALERT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${secret.key.replace(/^headers\./, 'HEADER_').toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      const reference = `${secret.prefix ?? ''}\${${variable}}`;
      if (secret.key.startsWith('headers.')) {
        const header = secret.key.slice('headers.'.length);
        channel.headers = { ...(channel.headers as Record<string, string>), [header]: reference };
      } else channel[secret.key] = reference;
      if (!known) {
        this.variableOf.set(shared, variable);
        this.variables.push({ variable, where: secret.where, option: secret.option });
      }
    }
    this.byIdentity.set(identity, name);
    this.channels.set(name, channel);
    return name;
  }
}
