/**
 * The push service (docs/push.md): devices in Postgres, transactions in the store. It is the
 * MAMORU plugin's `PushClient` in the gateway process, and behind the device API, the
 * Mamoru-style HTTP API, the CLI and the admin console.
 */
import { createActivation, peekActivation } from './activations.ts';
import type { PushContext, PushServiceDeps } from './context.ts';
import { PgDeviceRepository } from './device-repository.ts';
import { activateDevice, revokeDevice } from './devices.ts';
import { readInbox } from './inbox.ts';
import { InboxWaiter } from './inbox-waiter.ts';
import { pollPush } from './poll.ts';
import { respondToPush } from './respond.ts';
import { startPush } from './start.ts';
import type { PushService } from '../../ports/push-service.ts';
import { verifyPush, verifyRemotePush } from './verify.ts';
import { sendTestPush, subscribeDevice } from './web-push/subscribe.ts';
import { WebPush } from './web-push/web-push.ts';

export type { PushServiceDeps } from './context.ts';

export function createPushService(deps: PushServiceDeps): PushService {
  const webPushOn = deps.config.push.webPush.enabled && deps.keys !== undefined;
  const ctx: PushContext = {
    pool: deps.pool,
    store: deps.store,
    clock: deps.clock,
    settings: deps.config.push,
    publicUrl: deps.config.publicUrl,
    secret: deps.secret,
    log: deps.log,
    devices: new PgDeviceRepository(deps.pool),
    waiter: new InboxWaiter(deps.store),
    webPush: null,
    audit: (event) => deps.audit.record(event),
  };
  if (webPushOn && deps.keys) Object.assign(ctx, { webPush: new WebPush(ctx, deps.pool, deps.keys) });
  const activationDeps = {
    ...ctx,
    audit: deps.audit,
    ttlSeconds: ctx.settings.activationTtlSeconds,
  };
  return {
    start: (request) => startPush(ctx, request),
    poll: (transactionId) => pollPush(ctx, transactionId),
    verify: (request) => verifyPush(ctx, request),
    verifyRemote: (request) => verifyRemotePush(ctx, request),
    createActivation: (userId, by) => createActivation(activationDeps, userId, by),
    peekActivation: (code) => peekActivation(ctx, code),
    activate: (input, client) => activateDevice(ctx, input, client),
    listDevices: (userId) => ctx.devices.listForUser(userId),
    revokeDevice: (deviceId, by) => revokeDevice(ctx, deviceId, by),
    webPushKey: async () => (ctx.webPush ? ctx.webPush.publicKey() : null),
    subscribe: (input) => subscribeDevice(ctx, input),
    testPush: (input) => sendTestPush(ctx, input),
    // A device without Web Push cannot be told while its app is closed: then another channel is.
    notify: async (userId, notice) => (ctx.webPush ? ctx.webPush.sendNotice(userId, notice) : false),
    inbox: (input) => readInbox(ctx, input),
    respond: (input, client) => respondToPush(ctx, input, client),
    // The store belongs to the caller; closing answers the long polls so servers can stop.
    close: async () => {
      ctx.waiter.close();
      await ctx.webPush?.close();
    },
  };
}
