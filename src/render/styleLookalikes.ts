/**
 * Look-alikes of the characters that style chat text where the chat has no escape for them (Slack mrkdwn, Google
 * Chat): bold `*`, italic `_`, strike `~` and code `` ` `` become ∗ ˍ ∼ ˋ, which read the same and style nothing.
 */
export const STYLE_LOOKALIKES: Readonly<Record<string, string>> = { '*': '\u2217', _: '\u02cd', '~': '\u223c', '`': '\u02cb' };

/** Replaces each styling character of a text by its look-alike (STYLE_LOOKALIKES). */
export function styleLookalikes(text: string): string {
  return text.replace(/[*_~`]/g, (c) => STYLE_LOOKALIKES[c]!);
}

/** Look-alikes of the angle brackets (‹ ›), for text that is shown both as HTML and as plain text (an Opsgenie message read by SMS or voice): they open no tag and need no character reference. */
export const ANGLE_LOOKALIKES: Readonly<Record<string, string>> = { '<': '\u2039', '>': '\u203a' };

/** Replaces each angle bracket of a text by its look-alike (ANGLE_LOOKALIKES). */
export function angleLookalikes(text: string): string {
  return text.replace(/[<>]/g, (c) => ANGLE_LOOKALIKES[c]!);
}
