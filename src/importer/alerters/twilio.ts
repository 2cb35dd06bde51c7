import { listOf, type AlerterChannel, type AlerterContext } from './context.js';

/** ElastAlert2's twilio alerter as a `twilio-sms` channel (the auth token a variable). */
export function convertTwilio(ctx: AlerterContext): AlerterChannel[] {
  const sid = ctx.take('twilio_account_sid');
  const token = ctx.take('twilio_auth_token');
  const to = listOf(ctx.take('twilio_to_number'));
  const from = ctx.take('twilio_from_number');
  const service = ctx.take('twilio_message_service_sid');
  if (sid === undefined || token === undefined || !to.length) {
    ctx.noteAlerter('twilio', 'the twilio alerter needs twilio_account_sid, twilio_auth_token and twilio_to_number: not converted');
    return [];
  }
  ctx.take('twilio_use_copilot');
  return [{ config: { type: 'twilio-sms', account_sid: String(sid), ...(service ? { messaging_service_sid: String(service) } : { from: String(from) }), to }, secrets: [ctx.secret('auth_token', 'twilio_auth_token', token)] }];
}
