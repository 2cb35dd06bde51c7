/** The word joiner: invisible, and not a letter, a digit or one of `. - _ :`, so it ends a word for Mattermost. */
const WORD_JOINER = '\u2060';

/**
 * Breaks every Mattermost mention, channel link and hashtag in a text (plain or markdown already escaped): a word
 * joiner after each `@`, `~` and `#`. Mattermost finds mentions in the text its markdown leaves (a backslash escape
 * does not stop `\@channel` from notifying the channel) by splitting it at every character that is not a letter, a
 * digit or one of `. - _ : @`, so `@` followed by the joiner is a word of its own and `channel` another: no @channel,
 * @all, @here or @user notifies anyone, and no ~channel or #tag becomes a link. The text reads the same.
 */
export function breakMattermostMentions(text: string): string {
  return text.replace(/[@~#]/g, `$&${WORD_JOINER}`);
}
