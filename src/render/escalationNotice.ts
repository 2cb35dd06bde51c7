import { ESCALATION_REASONS, type Conversation } from '../model/conversation.js';
import { inertQuote } from './inertQuote.js';
import { ownValue } from '../util/plainMap.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The notice an escalated conversation sends to the security channels: why, the original alert, who was
 * asked where and when, their answer quoted as inert text, the 2FA result, the steps, and the links.
 */
export function escalationNotice(c: Conversation): { title: string; message: string } {
  const why = (c.reason ? ownValue(ESCALATION_REASONS, c.reason) : undefined) ?? 'escalated';
  const lines = [
    `Escalated (${why}): ${c.title}`,
    '',
    c.message,
    '',
    `Person: ${c.person}${c.address ? ` (chat user ${c.address.user})` : ''}`,
    c.askedAt !== undefined ? `Asked on ${c.channel} at ${iso(c.askedAt)}, answer due ${iso(c.deadline)}` : `Not asked on ${c.channel}${c.lastError ? `: ${c.lastError}` : ''}`,
    c.answer ? `Answer at ${iso(c.answer.at)}: ${inertQuote(c.answer.text)} (read as ${c.answer.verdict})` : 'Answer: none',
    `2FA: ${twoFactorLine(c)}`,
    'Steps:',
    ...c.history.map((s) => `  ${iso(s.at)} ${s.state}: ${s.note}`),
  ];
  if (c.links.length) lines.push('Links:', ...c.links.map((l) => `  ${l}`));
  return { title: `[ask: ${why}] ${c.title}`, message: lines.join('\n') };
}

function twoFactorLine(c: Conversation): string {
  const t = c.twoFactor;
  if (!t) return 'not required';
  if (!t.txid) return t.result ? `${t.result}${t.statusMsg ? ` (${t.statusMsg})` : ''}` : 'not started';
  const when = t.pushedAt !== undefined ? ` pushed at ${iso(t.pushedAt)}` : '';
  return `${t.result ?? 'waiting'}${t.statusMsg ? ` (${t.statusMsg})` : ''} for Duo user ${t.username},${when}`;
}
