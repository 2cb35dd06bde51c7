/**
 * Log values written by an attacker, as every channel's inertness test uses them: mentions, links and markup of
 * each chat format (Slack, Discord, Mattermost, Teams, Google Chat, Jira wiki, markdown, HTML), TwiML, mail
 * headers, template syntax, and text that breaks lengths and encodings. A channel test puts them in a finding and
 * asserts that what reached the service shows them as text only.
 */
export const HOSTILE_FIELDS = {
  /** Slack, HTML, TwiML and mail header injections (the original channels' test string). */
  evil: '<!channel> <@U024BE7LH> <https://evil.example|click> <a href="https://evil.example">x</a> <b>bold</b> &amp; </Say><Dial>+15550000000</Dial><Say> \r\nBcc: evil@evil.example\r\nX-Injected: 1',
  /** Markdown and chat mentions (Discord, Mattermost, Teams, Google Chat): links, images, emphasis, code, everyone/here, user and role ids. */
  markdown: '@everyone @here @channel @all <@123456789012345678> <@&987654321098765432> <users/all> [click](https://evil.example) ![img](https://evil.example/x.png) **bold** _it_ ~~s~~ `code` ```block``` # Heading > quote | a | b | https://evil.example www.evil.example admin@evil.example',
  /** Jira wiki markup, Adaptive Card and template syntax: links, macros, mentions, colours, expressions. */
  wiki: '[click|https://evil.example] [~admin] {color:red}x{color} {code}x{code} {noformat}y{noformat} !https://evil.example/x.png! *bold* h1. Title ${expression} {{title}} {{#each x}} <at>Admin</at>',
  /** A value far beyond every format's limit. */
  long: 'A'.repeat(10_000),
  /** Emoji built of several code points (cut only between characters). */
  emoji: '🔥🚨👩‍💻',
  /** A right-to-left override that would disguise a file name. */
  rtl: 'invoice\u202Efdp.exe שלום مرحبا',
  /** A lone surrogate (not valid UTF-16 text). */
  broken: 'bad\ud800half',
  /** Script injections for HTML pages (the status page): an element, an event attribute, and a break out of an attribute value. */
  script: '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> "><svg onload="window.__pwned=3">',
};

/** A message template that shows every hostile field, separated so each can be found in what was sent. */
export const HOSTILE_MESSAGE = '{{evil}} | {{markdown}} | {{wiki}} | {{long}} | {{emoji}} | {{rtl}} | {{broken}} | {{script}}';
