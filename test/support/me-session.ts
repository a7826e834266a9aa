import type { PushService } from '../../src/ports/push-service.ts';
import { cookieNames } from '../../src/web/session-cookie.ts';
import { activatePayload, generateDeviceKey, publicJwk, sign } from '../../views/static/push/protocol.js';
import { FormClient, type HttpTarget } from './browser-client.ts';
import type { TestRuntime } from './gateway.ts';
import { codeOf, phone } from './push-harness.ts';

/**
 * A session that proved `method` just now (a push login, say) without driving a phone through
 * it, for the pages behind /me's recent-proof guard: its cookie's name and value.
 */
export async function provenSession(
  gw: TestRuntime,
  userId: string,
  method: string,
): Promise<{ name: string; value: string }> {
  const { sessions, users, config } = gw.runtime.gateway;
  const user = await users.find(userId);
  if (!user) throw new Error(`no user ${userId}`);
  const session = await sessions.prove(null, user, method, { ip: '127.0.0.1', userAgent: 'test' });
  return { name: cookieNames(config).session, value: session.token };
}

/** A form client carrying such a session, to `target` (the app, or the listening gateway's URL). */
export async function provenClient(
  gw: TestRuntime,
  target: HttpTarget,
  userId: string,
  method: string,
): Promise<FormClient> {
  const cookie = await provenSession(gw, userId, method);
  const client = new FormClient(target);
  client.cookies.set(cookie.name, cookie.value);
  return client;
}

/**
 * A phone opening the activation link /me showed: a fresh key pair and the code signed, as the
 * authenticator page does. The new device's ID; throws unless it was activated for `userId`.
 */
export async function activatePhone(service: PushService, link: string, userId: string): Promise<string> {
  const code = codeOf(link);
  const keys = await generateDeviceKey(true);
  const publicKey = await publicJwk(keys.publicKey);
  const signature = await sign(keys.privateKey, activatePayload(code));
  const result = await service.activate({ code, publicKey, name: 'New phone', signature }, phone);
  if (result.kind !== 'activated' || result.userId !== userId) throw new Error(`activation: ${result.kind}`);
  return result.deviceId;
}
