/**
 * MAMORU (alias PUSH): passwordless login by a push to the user's phone, as IceWall MFA does with
 * Mamoru PUSH. The user types only their ID; the phone shows the request and the user picks the
 * number the wait page shows; the page polls, receives two one-time tokens and posts them back,
 * and the push service checks them. The push service is the gateway's own (`service: 'local'`)
 * or a remote Mamoru-style one over HTTP.
 *
 * Answer fields the wait page posts: `push_token1`, `push_token2` (both empty: the no-JavaScript
 * button, and the plugin polls the service itself).
 */
import type { AuthMethod, AuthPlugin, PluginContext } from '../../src/plugin-api.ts';
import type { MamoruConfig } from './config.ts';
import { isMamoruEnabled, mamoruConfigSchema } from './config.ts';
import type { MamoruDeps } from './deps.ts';
import { pushCredentials } from './credentials.ts';
import { messages } from './messages.ts';
import { pollPush } from './poll.ts';
import { createRemotePushClient } from './remote-client.ts';
import { startPush } from './start.ts';
import { verifyPush } from './verify.ts';

/** Creates the push method; throws when `service: 'local'` but the gateway runs no push service. */
async function createMamoruMethod(ctx: PluginContext<MamoruConfig>): Promise<AuthMethod> {
  const { service } = ctx.config;
  if (service === 'local') {
    const push = ctx.services.push;
    if (push === undefined) {
      throw new Error(
        "plugins.MAMORU.service is 'local' but this gateway runs no push service (push.enabled: false): " +
          'enable push, or set plugins.MAMORU.service to {url, apiKey} of a remote push service',
      );
    }
    ctx.log.info({ service: 'local' }, 'mamoru push ready');
    // The local service belongs to the core, which closes it.
    return bind({ ctx, push });
  }
  const remote = createRemotePushClient(service, ctx.log);
  ctx.log.info({ service: service.url }, 'mamoru push ready');
  return { ...bind({ ctx, push: remote }), close: () => remote.close() };
}

function bind(deps: MamoruDeps): AuthMethod {
  return {
    start: (request) => startPush(deps, request),
    poll: (request) => pollPush(deps, request),
    verify: (request) => verifyPush(deps, request),
    ...withCredentials(deps),
    ...withNotices(deps),
  };
}

/** Notices go to the user's push devices when the push service can reach them (Web Push). */
function withNotices(deps: MamoruDeps): Pick<AuthMethod, 'notify'> {
  const notify = deps.push.notify?.bind(deps.push);
  if (!notify) return {};
  return {
    notify: ({ user, client, browser, at }) => notify(user.id, { ip: client.ip, browser, at }),
  };
}

function withCredentials(deps: MamoruDeps): Pick<AuthMethod, 'credentials'> {
  const credentials = pushCredentials(deps.push);
  return credentials ? { credentials } : {};
}

/** The Mamoru-style push authentication plugin. */
const mamoruPlugin: AuthPlugin<MamoruConfig> = {
  name: 'MAMORU',
  aliases: ['PUSH'],
  passwordless: true,
  configSchema: mamoruConfigSchema,
  messages,
  isEnabled: isMamoruEnabled,
  create: createMamoruMethod,
};

export default mamoruPlugin;
