/**
 * Look-alikes of the characters that style chat text where the chat has no escape for them (Slack mrkdwn, Google
 * Chat): bold `*`, italic `_`, strike `~` and code `` ` `` become ∗ ˍ ∼ ˋ, which read the same and style nothing.
 */
export const STYLE_LOOKALIKES: Readonly<Record<string, string>> = { '*': '\u2217', _: '\u02cd', '~': '\u223c', '`': '\u02cb' };

/** Replaces each styling character of a text by its look-alike (STYLE_LOOKALIKES). */
export function styleLookalikes(text: string): string {
  return text.replace(/[*_~`]/g, (c) => STYLE_LOOKALIKES[c]!);
}
