import type { Finding } from '../../model/finding.js';
import { templateChoice } from '../../util/template.js';
import type { FeedbackDef } from './types.js';
import { ownValue } from '../../util/plainMap.js';

/** The same plain-address rule as email recipients in alertcron.yaml: no name, no separators, no line breaks. */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)$/;

/** What a case's feedback mail is: to whom, with which template; or why it cannot be sent. */
export type FeedbackPlan = { to: string; template: { title: string; message: string } } | { skip: string };

/**
 * Plans the mail to a case's reporter: the address from the `<recipient_tag>:<address>` tag (a plain address
 * of an allowed domain only), the template chosen by the value of `choose_by`.
 */
export function planFeedback(feedback: FeedbackDef, finding: Finding): FeedbackPlan {
  const tags = Array.isArray(finding.fields.tags) ? (finding.fields.tags as unknown[]).map(String) : [];
  const prefix = `${feedback.recipient_tag}:`;
  const tagged = tags.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length).trim());
  if (tagged.length !== 1) return { skip: tagged.length ? `more than one ${prefix} tag` : `no ${prefix} tag` };
  const address = tagged[0]!;
  const match = PLAIN_ADDRESS.exec(address);
  if (!match) return { skip: `the ${prefix} tag is not a plain email address` };
  const domain = match[1]!.toLowerCase();
  if (feedback.allowed_domains && !feedback.allowed_domains.some((d) => d.toLowerCase() === domain)) return { skip: `${domain} is not in allowed_domains` };
  const value = templateChoice(finding.fields, feedback.choose_by);
  const template = ownValue(feedback.templates, value);
  if (!template) return { skip: `no template for ${feedback.choose_by} = ${JSON.stringify(value)} (templates: ${Object.keys(feedback.templates).join(', ')})` };
  return { to: address, template };
}
