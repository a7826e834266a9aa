/**
 * Known environments: the (client IP, browser label) pairs a user has completed a login from,
 * kept as HMACs in a store set so the store never holds the user's IP addresses. The push
 * service marks a login from an unknown pair on the phone; rules' `newdevice=` ask such a login
 * for one more method (docs/rules.md). One set per user, shared by both.
 */
import { createHmac } from 'node:crypto';
import { browserLabel } from '../../views/static/push/browser-label.js';
import type { Locale } from '../plugin-api.ts';
import type { AuditLog } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { SetStore } from '../ports/set-store.ts';
import type { UserRepository } from '../ports/users.ts';
import type { LoadedMethod } from './plugin-host.ts';

export interface Environment {
  readonly ip: string;
  readonly browser: string;
}

/** The store key of a user's known environments. */
const environmentsKey = (userId: string) => `push:env:${userId}`;

export async function isKnownEnvironment(
  store: SetStore,
  secret: string,
  userId: string,
  environment: Environment,
): Promise<boolean> {
  return store.isSetMember(environmentsKey(userId), environmentMac(secret, userId, environment));
}

/** Adds the pair after a successful login; the whole set lives `days` from now. */
export async function rememberEnvironment(
  store: SetStore,
  secret: string,
  userId: string,
  environment: Environment,
  days: number,
): Promise<void> {
  const ttlMs = days * 86_400_000;
  await store.addToSet(environmentsKey(userId), ttlMs, environmentMac(secret, userId, environment));
}

function environmentMac(secret: string, userId: string, environment: Environment): string {
  return createHmac('sha256', secret)
    .update(['push-environment', userId, environment.ip, environment.browser].join('\u0000'))
    .digest('base64url');
}

/** A login's client: as sessions record it and the watch judges it. */
export interface LoginClient {
  readonly ip: string;
  readonly userAgent: string;
  /**
   * The language of the login's pages (?lang=, the language cookie, Accept-Language), when known:
   * what a new-environment notice is written in (Japanese when absent).
   */
  readonly locale?: Locale;
}

/** What sessions need of known environments: whether a login's pair is new, and to remember it. */
export interface EnvironmentWatch {
  /** False while no rule asks about environments: logins are then not judged at all. */
  isEnabled(): boolean;
  /** Whether the user has completed a login from this client's address and browser. */
  isKnown(userId: string, client: { ip: string; userAgent: string }): Promise<boolean>;
  /**
   * A login was completed here (a method besides the password proven): the pair is remembered,
   * and when the login was judged new (`isNew`) the user is told and it is audited.
   */
  completed(userId: string, client: LoginClient, isNew: boolean): Promise<void>;
}

/**
 * Tells the user that a login from a new environment happened, in the login's language; the
 * method whose channel did, or null.
 */
export type NewEnvironmentNotifier = (
  userId: string,
  environment: Environment & { readonly userAgent: string; readonly locale: Locale },
) => Promise<string | null>;

/** The channels tried, in order: the push device first, then the phone SMS codes go to. */
const CHANNELS = ['MAMORU', 'SMSOTP'];

/**
 * Tells the user through the first method that can: each method's `notify` (a plugin without one,
 * or a user without that channel, is skipped). Other methods with a channel come after these.
 */
export function notifyByChannel(deps: {
  methods: ReadonlyMap<string, LoadedMethod>;
  users: Pick<UserRepository, 'find'>;
  clock: Clock;
}): NewEnvironmentNotifier {
  const order = [...CHANNELS, ...[...deps.methods.keys()].filter((name) => !CHANNELS.includes(name))];
  return async (userId, environment) => {
    const account = await deps.users.find(userId);
    if (!account) return null;
    const user = {
      id: account.id,
      displayName: account.displayName,
      phone: account.phone,
      email: account.email,
      groups: account.groups,
    };
    const client = { ip: environment.ip, userAgent: environment.userAgent, locale: environment.locale };
    const notice = {
      user,
      kind: 'new-environment' as const,
      client,
      browser: environment.browser,
      at: deps.clock.now(),
    };
    for (const name of order) {
      const notify = deps.methods.get(name)?.method.notify;
      if (notify && (await notify(notice))) return name;
    }
    return null;
  };
}

/**
 * The known-environment watch sessions use: the pair is remembered whenever a login from it proves
 * a method besides the password (this is the one place a login makes it known, so a push login is
 * judged before its approval counts); when the login was judged new, then, in the background (a
 * slow SMS provider never holds the login), the user is told and it is audited as
 * `login.new_environment` with the channel used.
 */
export function environmentWatch(deps: {
  store: SetStore;
  secret: string;
  days: number;
  audit: AuditLog;
  notify?: NewEnvironmentNotifier;
  /** A notice or its audit row failed (reported, never thrown at the login). */
  onError?: (error: unknown) => void;
  /** Whether environments are watched at all (some rule has `newdevice=`); always when absent. */
  enabled?: () => boolean;
}): EnvironmentWatch {
  const environmentOf = (client: { ip: string; userAgent: string }): Environment => ({
    ip: client.ip,
    browser: browserLabel(client.userAgent),
  });
  return {
    isEnabled: () => deps.enabled?.() ?? true,
    isKnown: (userId, client) => isKnownEnvironment(deps.store, deps.secret, userId, environmentOf(client)),
    async completed(userId, client, isNew) {
      const environment = environmentOf(client);
      await rememberEnvironment(deps.store, deps.secret, userId, environment, deps.days);
      if (isNew) tell(userId, client, environment).catch(deps.onError ?? (() => undefined));
    },
  };

  async function tell(userId: string, client: LoginClient, environment: Environment) {
    // Japanese, the gateway's default, when the caller did not say which language the login spoke.
    const locale = client.locale ?? 'ja';
    const channel = deps.notify
      ? await deps.notify(userId, { ...environment, userAgent: client.userAgent, locale })
      : null;
    await deps.audit.record({
      event: 'login.new_environment',
      outcome: 'info',
      userId,
      actor: userId,
      ip: client.ip,
      userAgent: client.userAgent,
      detail: { browser: environment.browser, notified: channel },
    });
  }
}
