import type { NoticeAction } from '../model/operation.js';
import { sourceDefinition } from './registry.js';

/**
 * The chat actions a notice of an alert of this source offers, for a finding with these labels: the source's
 * chatActions that apply, each naming the source that performs it (promote, act). Empty for an unknown source.
 */
export function offeredActions(source: string, labels: Readonly<Record<string, string>>): NoticeAction[] {
  const definition = sourceDefinition(source);
  return (definition?.chatActions ?? [])
    .filter((spec) => !spec.appliesTo || spec.appliesTo(labels))
    .map(({ appliesTo: _appliesTo, ...action }) => (action.op === 'promote' || action.op === 'act' ? { ...action, source: definition!.name } : action));
}
