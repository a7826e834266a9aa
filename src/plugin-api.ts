/**
 * The public API for authentication plugins: the only module of `src/` a plugin may import
 * (an ESLint rule enforces it). A plugin starts a challenge and checks an answer; the core
 * owns sessions, proven methods, step-up, CSRF, page layout, rate limits on the forms and
 * the audit trail.
 */
import type { ZodType } from 'zod';
import type { ChallengeStore } from './ports/challenge-store.ts';
import type { KeyValueStore } from './ports/key-value-store.ts';
import type { RateCounter } from './ports/rate-counter.ts';
import type { SealedBox } from './ports/sealed-box.ts';
import type { StoredCredential } from './ports/credentials.ts';
import type { NewWebAuthnCredential, StoredWebAuthnCredential } from './ports/webauthn-credentials.ts';
import type { OtpConfig, PushConfig, SmsConfig } from './config/schema.ts';
import type { Catalogue, Locale } from './web/i18n/catalogue.ts';

export type { KaradenConfig, OtpConfig, PushConfig, SmsConfig, SmsProviderName } from './config/schema.ts';
export type { Catalogue, Locale, Translation } from './web/i18n/catalogue.ts';
export { fill } from './web/i18n/catalogue.ts';
export { onFirstUse } from './core/on-first-use.ts';
export { qrSvg } from './web/qr-code.ts';

export type { ChallengeAttempt, ChallengeStore } from './ports/challenge-store.ts';
export type { KeyValueStore } from './ports/key-value-store.ts';
export type { RateCounter } from './ports/rate-counter.ts';
export type { SealedBox } from './ports/sealed-box.ts';
export type { StoredCredential } from './ports/credentials.ts';
export type { NewWebAuthnCredential, StoredWebAuthnCredential } from './ports/webauthn-credentials.ts';

/** A plugin's page strings, one flat level of keys: `it.pt.<key>` in its templates. */
export type PluginMessages = Readonly<Record<string, string>>;

/**
 * The core's config sections a plugin may read, exactly as the core's schema parsed them (defaults
 * filled in, frozen): plugins neither parse them again nor see the rest (the server secret, the
 * stores' URLs).
 */
export interface GatewaySettings {
  /** The gateway's external origin, e.g. `https://sso.example.jp` (no path, no trailing slash). */
  readonly publicUrl: string;
  /** `otp`: one-time-code length, lifetime, attempt and send limits. */
  readonly otp: OtpConfig;
  /** `sms`: the SMS providers in failover order, and their credentials. */
  readonly sms: SmsConfig;
  /** `push`: the gateway's own push service. */
  readonly push: PushConfig;
  /**
   * `timeZone`: the IANA zone the gateway's pages write clock times in (default `Asia/Tokyo`); a
   * plugin's own times (an OTP's expiry) follow it unless the plugin is told otherwise.
   */
  readonly timeZone?: string;
}

/** The user being authenticated, as the auth DB has them. */
export interface PluginUser {
  readonly id: string;
  readonly displayName: string;
  /** E.164, e.g. +819012345678, or null. */
  readonly phone: string | null;
  readonly email: string | null;
  readonly groups: readonly string[];
}

/** Where the request comes from. */
export interface PluginClient {
  readonly ip: string;
  readonly userAgent: string;
  readonly locale: Locale;
}

/**
 * Expiring state, namespaced to the plugin (Redis in production, in-process in the demo): the
 * store's challenge, key/value and counter ports. A plugin's parts may each take only the port
 * they use.
 */
export interface PluginStore extends ChallengeStore, KeyValueStore, RateCounter {}

/** A structured logger (pino). Never pass it a secret, an OTP or a phone number in full. */
export interface PluginLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** One audit row; `event` is prefixed with the plugin's name by the core. */
export interface PluginAuditEvent {
  readonly event: string;
  readonly outcome: 'success' | 'failure' | 'info';
  readonly userId?: string | null;
  readonly client?: PluginClient;
  readonly detail?: Record<string, unknown>;
}

/** What the core gives a plugin when it is created. */
export interface PluginContext<C> {
  readonly name: string;
  /** The plugin's own section, `plugins.<NAME>`, parsed once at start-up by its `configSchema`. */
  readonly config: C;
  /** The core's sections the plugin may read. */
  readonly gateway: GatewaySettings;
  readonly store: PluginStore;
  readonly clock: { now(): number };
  readonly log: PluginLogger;
  audit(event: PluginAuditEvent): Promise<void>;
  /** HMAC-SHA256 of the parts under the server secret (base64url): keyed hashes of codes. */
  mac(...parts: string[]): string;
  /** Seals secrets at rest (AES-256-GCM under a key derived from the server secret for this plugin). */
  readonly sealed: SealedBox;
  /** The plugin's own credentials in the auth DB (TOTP secrets, passkeys), namespaced to its method. */
  readonly credentials: PluginCredentialStore;
  /** WebAuthn credentials (passkeys) in the auth DB, each with its record in `credentials`. */
  readonly webauthn: PluginWebAuthnStore;
  /** The few changes to the user's record a method may make (removing its own factor). */
  readonly accounts: PluginAccounts;
  /** Services the core runs for plugins; absent when disabled in the config. */
  readonly services: PluginServices;
}

/**
 * A method's credentials in the auth DB (docs/plugins.md, "Credentials"). Rows are the method's
 * own: `data` is its JSON (seal secrets with `ctx.sealed` first); times come from the core's clock.
 */
export interface PluginCredentialStore {
  /** The user's credentials of this method, oldest first. */
  list(userId: string): Promise<StoredCredential[]>;
  /** Adds one; `replace` first deletes the user's others of this method. */
  add(
    userId: string,
    name: string,
    data: Readonly<Record<string, unknown>>,
    options?: { readonly replace?: boolean },
  ): Promise<StoredCredential>;
  /** Deletes one; false when the user has no such credential of this method. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Records a use ("last used"). */
  touch(id: string): Promise<void>;
  /** Renames one; false when the user has no such credential of this method. */
  rename(userId: string, id: string, name: string): Promise<boolean>;
}

/**
 * Passkeys (docs/passkeys.md): the WebAuthn fields of a credential, found by credential ID as an
 * ID-less login needs. Listing, renaming and removal go through {@link PluginCredentialStore}.
 */
export interface PluginWebAuthnStore {
  /** Adds a passkey with its credential record named `name`. */
  add(userId: string, name: string, credential: NewWebAuthnCredential): Promise<StoredWebAuthnCredential>;
  /** The passkey with this (base64url) credential ID, whoever holds it, or null. */
  find(credentialId: string): Promise<StoredWebAuthnCredential | null>;
  /** The user's passkeys, oldest first. */
  list(userId: string): Promise<StoredWebAuthnCredential[]>;
  /** Moves the signature counter from `expected` to `next` atomically; false when it no longer reads `expected`. */
  recordUse(credentialId: string, expected: number, next: number, backedUp: boolean): Promise<boolean>;
}

/** Changes to the auth DB's user record a plugin may make. */
export interface PluginAccounts {
  /** Removes the user's phone number (the SMS factor of a lost phone). */
  clearPhone(userId: string): Promise<void>;
}

/** One of a user's authenticators, as "my authenticators" and the admin console list it. */
export interface CredentialListing {
  /** Stable within the method: what removal names. */
  readonly id: string;
  /** What the user or the method calls it (a device name, "Authenticator app"). */
  readonly name: string;
  /** Method-specific display text, never a secret: a masked phone number, say. */
  readonly detail?: string;
  readonly createdAt: number | null;
  readonly lastUsedAt: number | null;
}

/** Who removes or enrols a credential, for the audit trail. */
export interface CredentialActor {
  /** The user themselves, or the admin's ID (`cli` for the command line). */
  readonly actor: string;
  readonly client?: PluginClient;
}

/** What the enrolment page posted, for {@link MethodCredentials.finishEnrolment}. */
export interface EnrolmentRequest {
  readonly user: PluginUser;
  readonly client: PluginClient;
  readonly answer: Readonly<Record<string, string>>;
}

export type EnrolmentResult =
  | { readonly kind: 'enrolled'; readonly credential: CredentialListing }
  /** Not confirmed (wrong code); the page is shown again with the message. */
  | { readonly kind: 'wrong'; readonly view: PluginView; readonly messageKey: string }
  /** Nothing to confirm (the pending enrolment expired): start again. */
  | { readonly kind: 'dead'; readonly messageKey: string };

/**
 * The credentials side of a method: listing, removal and, where the user can do it themselves,
 * enrolment. The core guards every change (a recent proof, or an admin's activation link), renders
 * pages in its layout and audits `credential.enrolled` / `credential.removed`.
 */
export interface MethodCredentials {
  /** The user's credentials of this method (empty when none); `detail` in `locale` (default `ja`). */
  list(user: PluginUser, locale?: Locale): Promise<CredentialListing[]>;
  /** Removes one; false when there is no such credential. */
  remove(user: PluginUser, id: string, by: CredentialActor): Promise<boolean>;
  /** Renames one (methods whose credentials the user names, like passkeys); false when there is none. */
  rename?(user: PluginUser, id: string, name: string): Promise<boolean>;
  /** Self-service enrolment's first page (e.g. a QR code and a field for the first code). */
  beginEnrolment?(user: PluginUser, client: PluginClient): Promise<PluginView>;
  /** Checks the enrolment page's answer; the credential counts only once this says `enrolled`. */
  finishEnrolment?(request: EnrolmentRequest): Promise<EnrolmentResult>;
}

/** Services the core offers plugins. */
export interface PluginServices {
  /** The gateway's own push service (`push.enabled`), as a Mamoru-style client. */
  readonly push?: PushClient;
}

/** The client side of a Mamoru-style push service (docs/push.md §5): start, poll, verify. */
export interface PushClient {
  start(request: PushStartRequest): Promise<PushStartResult>;
  poll(transactionId: string): Promise<PushPollResult>;
  /** True once for the tokens of an approved transaction of this user; false otherwise. */
  verify(request: PushVerifyRequest): Promise<boolean>;
  /** The user's registered devices (the gateway's own service; absent for a remote one). */
  listDevices?(userId: string): Promise<readonly PushDeviceInfo[]>;
  /**
   * Tells the user's devices that a login from a new environment happened (by Web Push); false
   * when none could be reached. The gateway's own service only.
   */
  notify?(userId: string, notice: { ip: string; browser: string; at: number }): Promise<boolean>;
  /** Revokes one device; false when there is no such live device. */
  revokeDevice?(
    deviceId: string,
    by: { readonly actor: string; readonly ip?: string | null; readonly userAgent?: string | null },
  ): Promise<boolean>;
}

/** A registered push device as listings show it. */
export interface PushDeviceInfo {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface PushStartRequest {
  readonly userId: string;
  readonly ip: string;
  readonly userAgent: string;
  /** The app's path the login is for, shown on the device. */
  readonly path: string;
  /** Unknown or locked ID: make a transaction no device sees and none can approve. */
  readonly decoy: boolean;
}

export type PushStartResult =
  | {
      readonly kind: 'started';
      readonly transactionId: string;
      /** The two-digit number the wait page shows (null when number matching is off). */
      readonly number: number | null;
      readonly expiresAt: number;
    }
  /**
   * Too many unanswered or denied pushes to this user (the push-bombing cap); `retryAt` (ms): when
   * a push can be sent again if nothing else happens meanwhile.
   */
  | { readonly kind: 'busy'; readonly retryAt?: number }
  /** The service cannot be reached or answered nonsense. */
  | { readonly kind: 'unavailable' };

/**
 * Where a push stands; `revoked`: a phone it was sent to was revoked before anyone answered, so it
 * can no longer be approved.
 */
export type PushState = 'pending' | 'approved' | 'denied' | 'wrong_number' | 'expired' | 'revoked';

export type PushPollResult =
  | { readonly kind: 'state'; readonly state: PushState; readonly tokens?: PushTokens }
  | { readonly kind: 'unavailable' };

export interface PushTokens {
  readonly token1: string;
  readonly token2: string;
}

export interface PushVerifyRequest extends PushTokens {
  readonly transactionId: string;
  readonly userId: string;
}

/** A page for the core to render inside its layout: an Eta template and its data. */
export interface PluginView {
  /** Template path relative to the project root, e.g. `plugins/smsotp/views/otp`. */
  readonly template: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * What proving a challenge is for: a login or step-up, or confirming a change of the user's own
 * phone number (on `/_sekisho/me/phone`, the code going to the number being replaced).
 */
export type ChallengePurpose = 'login' | 'phone-change';

/** One step of authentication for one user in one browser session. */
export interface ChallengeRequest {
  readonly user: PluginUser;
  /** Opaque and stable for this browser's login: binds a challenge to it. */
  readonly flowId: string;
  readonly client: PluginClient;
  /** The same-origin path the user is on their way to (shown on a push device). */
  readonly target?: string;
  /**
   * 'login' when absent. A method that messages the user says what the code is for, so that someone
   * who did not ask to change their number can tell that somebody else is trying to.
   */
  readonly purpose?: ChallengePurpose;
  /**
   * Passwordless only: true when the typed ID is unknown or locked. The method must answer
   * exactly as for a real user (same page) but contact nobody and never succeed.
   */
  readonly decoy?: boolean;
  /**
   * True when the session has already proven who the user is (the password, or another factor):
   * the method may then say plainly what the user lacks ("no phone is registered"). Absent before
   * the first proof, where every ID must look alike.
   */
  readonly identified?: boolean;
}

/** What the wait page learns when it polls (passwordless methods with an out-of-band answer). */
export type PollResult =
  | { readonly kind: 'pending' }
  /** Answer fields the page posts back to `verify` (e.g. one-time tokens). */
  | { readonly kind: 'ready'; readonly fields: Readonly<Record<string, string>> }
  /** Over (denied, expired, wrong number): the page shows the message and a way to start over. */
  | { readonly kind: 'dead'; readonly messageKey: string };

/** Why a challenge could not be started; the page says so calmly and offers a way on. */
export interface ChallengeProblem {
  readonly kind: 'problem';
  /** Message key in the plugin's messages, e.g. `noPhone`. */
  readonly messageKey: string;
  /** True when trying again later may work (provider down); false when an admin must act. */
  readonly retry: boolean;
  /** When trying again will work (ms), where the method knows it (a send cap's window ends). */
  readonly retryAt?: number;
}

export type StartResult = { readonly kind: 'started'; readonly view: PluginView } | ChallengeProblem;

export type VerifyResult =
  /** Proven; `amr` replaces the method's usual RFC 8176 values for this proof (a synced passkey: `swk`). */
  | { readonly kind: 'ok'; readonly amr?: readonly string[] }
  /** Wrong answer; the page is shown again with the message. */
  | { readonly kind: 'wrong'; readonly view: PluginView; readonly messageKey: string }
  /** The answer was not checked (e.g. too many tries per minute); the page says why. */
  | { readonly kind: 'refused'; readonly view: PluginView; readonly messageKey: string }
  /** The challenge is gone (expired, used, too many attempts): start over. */
  | { readonly kind: 'dead'; readonly messageKey: string };

/** A plain HTTP route a plugin adds under `/_sekisho/` (callbacks, sandbox pages). */
export interface PluginRoute {
  readonly method: 'GET' | 'POST';
  /**
   * Path under `/_sekisho/`, may use `:param` segments, e.g. `sms/callback/:secret`. A segment
   * named `:secret` is replaced by `[redacted]` in every log line of the route.
   */
  readonly path: string;
  /** Requests per client address per window (the gateway's shared rate limiter); none when absent. */
  readonly rateLimit?: { readonly max: number; readonly windowSeconds: number };
  handle(request: PluginHttpRequest): Promise<PluginHttpResponse>;
}

export interface PluginHttpRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly client: PluginClient;
}

export type PluginHttpResponse =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: number; readonly view: PluginView; readonly title: string };

/** Something the user is told through a method's channel (an SMS, a push notification). */
export interface UserNotice {
  readonly user: PluginUser;
  /** A login was completed from a browser and address new for the user. */
  readonly kind: 'new-environment';
  /** The client of that login (its language picks the notice's), and its browser label (`Chrome on Windows`). */
  readonly client: PluginClient;
  readonly browser: string;
  /** When (ms, the gateway's clock). */
  readonly at: number;
}

/** A created authentication method. */
export interface AuthMethod {
  /**
   * Starts a challenge (sends the code, …), or shows the live one again when there is one
   * and `resend` is false. `resend` asks for a fresh one (the old answer dies).
   */
  start(request: ChallengeRequest & { readonly resend: boolean }): Promise<StartResult>;
  /** Checks the answer posted from the challenge page (form fields by name). */
  verify(
    request: ChallengeRequest & { readonly answer: Readonly<Record<string, string>> },
  ): Promise<VerifyResult>;
  /**
   * Where an out-of-band answer stands, for the wait page's script: polled about once a
   * second at `GET /_sekisho/mfa/<NAME>/status`, bound to the same flow as `start`.
   */
  poll?(request: ChallengeRequest): Promise<PollResult>;
  /** Extra routes, if any. */
  readonly routes?: readonly PluginRoute[];
  /** The user's credentials of this method (listing, removal, self-service enrolment), if it keeps any. */
  readonly credentials?: MethodCredentials;
  /** Passwordless methods that find the user themselves (passkeys): login without typing an ID. */
  readonly discovery?: DiscoverableLogin;
  /**
   * Tells the user something through this method's channel (the phone the SMS codes go to);
   * false when the user has no such channel or it could not be used. Optional.
   */
  notify?(notice: UserNotice): Promise<boolean>;
  /** Stops timers and connections at shutdown. */
  close?(): Promise<void>;
}

/** Where an ID-less login comes from. */
export interface DiscoveryRequest {
  readonly client: PluginClient;
  /** The same-origin path the user is on their way to. */
  readonly target: string;
}

export type DiscoveryResult =
  /** Proven: the user the credential belongs to; `amr` as in {@link VerifyResult}. */
  | { readonly kind: 'ok'; readonly userId: string; readonly amr?: readonly string[] }
  /** Not proven; the page says why and the user may try again. */
  | { readonly kind: 'wrong'; readonly messageKey: string };

/**
 * Login with no ID typed: the method's page (at `/_sekisho/mfa/<NAME>` without a session), a
 * fragment the login page shows beside the password form, and the check of what either posts.
 * The core renders both with `csrf`, `next` and `action` (where to post, with `discover=1`).
 */
export interface DiscoverableLogin {
  /** The ID-less page. */
  page(request: DiscoveryRequest): PluginView;
  /** The login page's offer (e.g. a "sign in with a passkey" button); its template is a fragment. */
  offer(request: DiscoveryRequest): PluginView;
  /** Checks the answer; the core then checks the user (exists, not locked) and the rule. */
  finish(
    request: DiscoveryRequest & { readonly answer: Readonly<Record<string, string>> },
  ): Promise<DiscoveryResult>;
}

/** What a plugin module exports (as `default`). */
export interface AuthPlugin<C = unknown> {
  /** Canonical method name used in rules, upper case (e.g. `SMSOTP`). */
  readonly name: string;
  readonly aliases: readonly string[];
  /** True when the method replaces the password (MAMORU) instead of following it (SMSOTP). */
  readonly passwordless: boolean;
  /**
   * The one schema of `plugins.<NAME>`: the core parses the section with it once at start-up and
   * reports each problem with its key path (`config: plugins.SMSOTP.templates.ja: …`).
   */
  readonly configSchema: ZodType<C>;
  /** Page strings, `messages[locale][key]`; its templates read them as `it.pt.key`. */
  readonly messages: Catalogue<PluginMessages>;
  /** Whether this gateway should offer the method (e.g. SMSOTP needs an SMS provider that can send). */
  isEnabled(config: C, gateway: GatewaySettings): boolean;
  create(context: PluginContext<C>): Promise<AuthMethod>;
}

/** Shows an E.164 number with all but the last four digits hidden: `+81 *******5678`. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `+${'*'.repeat(Math.max(digits.length - 4, 0))}${digits.slice(-4)}`;
}
