import type { TestRuntime } from './gateway.ts';
import { cookieNames } from '../../src/web/session-cookie.ts';
import { FormClient, type HttpTarget } from './browser-client.ts';

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
