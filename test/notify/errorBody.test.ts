// One helper reads every channel's error body: the service's own words from its JSON, else the body's text; always
// redacted, one line and cut, whatever the service or a proxy in front of it answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOpsgenieError } from '../../src/notify/channels/opsgenie/notifier.js';
import { describePagerDutyError } from '../../src/notify/channels/pagerduty/notifier.js';
import { errorBodyText, serviceErrorText } from '../../src/notify/errorBody.js';
import { registerSecret } from '../../src/util/redact.js';

const PROXY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

test('errorBodyText: the picked words of a JSON body, else the text; redacted, one line, cut', () => {
  registerSecret('s3cr3t-error-body-token');
  const pick = (body: unknown) => (body as { message?: string })?.message;
  assert.equal(errorBodyText('{"message":"bad\\nrequest for s3cr3t-error-body-token"}', pick), 'bad request for ***');
  assert.equal(errorBodyText(PROXY_PAGE, pick), '<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> </body> </html>');
  assert.equal(errorBodyText('{"other":1}', pick), '{"other":1}', 'a JSON body of another shape is quoted as text');
  assert.equal(errorBodyText('x'.repeat(1000), pick, 20), `${'x'.repeat(19)}…`);
  assert.equal(serviceErrorText('{"error":{"code":"InvalidTemplate","message":"Unable to process\\r\\nthe template"}}'), 'InvalidTemplate: Unable to process the template');
});

test('every paging channel quotes a proxy page as one line', () => {
  for (const line of [describePagerDutyError(502, PROXY_PAGE), describeOpsgenieError(502, PROXY_PAGE), serviceErrorText(PROXY_PAGE)]) assert.ok(!/[\r\n]/.test(line) && line.includes('502 Bad Gateway'), line);
  assert.equal(describePagerDutyError(400, '{"status":"invalid event","message":"Event object is invalid","errors":["\'routing_key\' is missing or blank"]}'), "invalid event: Event object is invalid ('routing_key' is missing or blank) (check the channel's routing_key: the Integration Key of an Events API v2 integration)");
});

test('errorBodyText: a secret with a run of blanks (or a line break) echoed in a body is blanked before the body becomes one line (property seed 772156542)', () => {
  registerSecret('Pd4k:X  #bX*Z*+\\b%');
  registerSecret('Ln7q\n\tsplit-secret');
  const pick = (body: unknown) => (body as { message?: string })?.message;
  assert.equal(errorBodyText(JSON.stringify({ message: 'routing key Pd4k:X  #bX*Z*+\\b% is invalid' }), pick), 'routing key *** is invalid');
  assert.equal(errorBodyText('<p>token Ln7q\n\tsplit-secret refused</p>', pick), '<p>token *** refused</p>');
});
