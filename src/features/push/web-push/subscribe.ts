/**
 * The Web Push calls of the device API: registering, replacing or removing a device's
 * subscription, and a test notification. Both are signed like the inbox (time, nonce, once).
 */
import { subscribePayload, testPushPayload } from '../../../../views/static/push/protocol.js';
import type {
  SubscribeResult,
  SubscriptionInput,
  TestPushInput,
  TestPushResult,
} from '../../../ports/push-service.ts';
import type { PushContext } from '../context.ts';
import { authorizeSignedCall } from '../device-auth.ts';

export async function subscribeDevice(ctx: PushContext, input: SubscriptionInput): Promise<SubscribeResult> {
  const webPush = ctx.webPush;
  if (!webPush) return { kind: 'web_push_off' };
  const { subscription } = input;
  const payload = (id: string) => subscribePayload(id, input.time, input.nonce, subscription);
  const device = await authorizeSignedCall(ctx, input, payload);
  if (!device) return { kind: 'unauthorized' };
  const audited = { userId: device.userId, actor: device.userId };
  if (!subscription) {
    await webPush.subscriptions.remove(device.id);
    await ctx.audit({
      ...audited,
      event: 'push.webpush_unsubscribed',
      outcome: 'info',
      detail: { deviceId: device.id },
    });
    return { kind: 'unsubscribed' };
  }
  // Refused before anything is stored or sent: the gateway never posts to an address a device chose.
  const pushService = hostOf(subscription.endpoint);
  if (!webPush.isAllowed(subscription.endpoint)) {
    ctx.log.warn({ deviceId: device.id, user: device.userId, pushService }, 'web push endpoint refused');
    const detail = { deviceId: device.id, pushService };
    await ctx.audit({ ...audited, event: 'push.webpush_endpoint_refused', outcome: 'failure', detail });
    return { kind: 'endpoint_not_allowed' };
  }
  const endpoint = new URL(subscription.endpoint).href;
  const saved = { deviceId: device.id, ...subscription, endpoint, locale: input.locale };
  await webPush.subscriptions.save(saved, new Date(ctx.clock.now()));
  await ctx.audit({
    ...audited,
    event: 'push.webpush_subscribed',
    outcome: 'success',
    detail: { deviceId: device.id, pushService },
  });
  return { kind: 'subscribed' };
}

export async function sendTestPush(ctx: PushContext, input: TestPushInput): Promise<TestPushResult> {
  const webPush = ctx.webPush;
  if (!webPush) return { kind: 'web_push_off' };
  const device = await authorizeSignedCall(ctx, input, (id) => testPushPayload(id, input.time, input.nonce));
  if (!device) return { kind: 'unauthorized' };
  const subscription = await webPush.subscriptions.find(device.id);
  if (!subscription) return { kind: 'no_subscription' };
  const result = await webPush.sendTest(subscription, device.userId);
  return { kind: 'sent', outcome: result.outcome };
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return '';
  }
}
