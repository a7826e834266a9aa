/**
 * The push service's surface (docs/push.md): what the gateway's routes, the CLI, the admin
 * console and the MAMORU plugin (through `PushClient`) use.
 */
import type { PushClient, PushVerifyRequest } from '../plugin-api.ts';

/** A JWK of a P-256 public key: the only key material the server holds for a device. */
export interface DevicePublicKey {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/** A registered phone (or virtual authenticator). */
export interface PushDevice {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A fresh activation: single use, short-lived; the code is only ever in the URL fragment. */
export interface Activation {
  readonly userId: string;
  /** `<publicUrl>/_sekisho/push/app#activate=<code>`: what the phone opens (the QR code). */
  readonly url: string;
  /** `<publicUrl>/_sekisho/push/enroll#<code>`: a page showing that QR code on a PC screen. */
  readonly enrolmentUrl: string;
  readonly expiresAt: number;
}

/** A live activation (unused, unexpired), as the enrolment page sees it. */
export interface LiveActivation {
  readonly userId: string;
  readonly expiresAt: number;
}

/** Who is acting, for the audit trail. */
export interface PushActor {
  readonly actor: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/** A pending request as a device sees it (docs/push.md §2). */
export interface PendingRequest {
  readonly transactionId: string;
  readonly challenge: string;
  readonly choices: readonly number[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly client: { readonly ip: string; readonly userAgent: string; readonly browser: string };
  readonly path: string;
  readonly unknownEnvironment: boolean;
}

export interface ActivateInput {
  readonly code: string;
  readonly publicKey: DevicePublicKey;
  readonly name: string;
  readonly signature: string;
}

export type ActivateResult =
  | { readonly kind: 'activated'; readonly deviceId: string; readonly userId: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'bad_signature' };

export interface InboxInput {
  readonly deviceId: string;
  readonly time: number;
  /** Signed with the time, so that each call is a statement of its own (absent from older clients). */
  readonly nonce?: string;
  readonly signature: string;
  /** Long-poll: wait up to this long for a request when none is pending (0: answer at once). */
  readonly waitMs: number;
}

export type InboxResult =
  { readonly kind: 'ok'; readonly requests: readonly PendingRequest[] } | { readonly kind: 'unauthorized' };

export interface RespondInput {
  readonly deviceId: string;
  readonly transactionId: string;
  readonly decision: 'approve' | 'deny' | 'report';
  /** The picked number, as typed ('' for deny/report). */
  readonly number: string;
  readonly signature: string;
}

export type RespondResult =
  | { readonly kind: 'decided'; readonly outcome: 'approved' | 'denied' | 'reported' | 'wrong_number' }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'no_such_request' }
  | { readonly kind: 'already_decided' };

/** A device's Web Push subscription as its browser gives it (`PushSubscription.toJSON()`). */
export interface SubscriptionInput {
  readonly deviceId: string;
  readonly time: number;
  readonly nonce: string;
  readonly signature: string;
  /** Null removes the device's subscription. */
  readonly subscription: { readonly endpoint: string; readonly p256dh: string; readonly auth: string } | null;
  /** The language notifications to this device are written in. */
  readonly locale: 'ja' | 'en';
}

export type SubscribeResult =
  | { readonly kind: 'subscribed' }
  | { readonly kind: 'unsubscribed' }
  | { readonly kind: 'unauthorized' }
  /** The endpoint is not under `push.webPush.allowedEndpoints`: refused, never contacted. */
  | { readonly kind: 'endpoint_not_allowed' }
  | { readonly kind: 'web_push_off' };

export interface TestPushInput {
  readonly deviceId: string;
  readonly time: number;
  readonly nonce: string;
  readonly signature: string;
}

export type TestPushResult =
  | { readonly kind: 'sent'; readonly outcome: string }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'no_subscription' }
  | { readonly kind: 'web_push_off' };

/** The push service: devices in Postgres, activations in Postgres, transactions in the store. */
export interface PushService extends PushClient {
  /**
   * `verify` for another gateway (the Mamoru-style API): a success also makes the login's
   * environment known here, since that gateway's sessions never reach this one's session service.
   */
  verifyRemote(request: PushVerifyRequest): Promise<boolean>;
  /** Throws SekishoError SEKISHO_ERR_USER_NOT_FOUND for an unknown user. */
  createActivation(userId: string, by: PushActor): Promise<Activation>;
  /** Whether the activation code is live, for the enrolment page; does not consume it. */
  peekActivation(code: string): Promise<LiveActivation | null>;
  activate(input: ActivateInput, client: { ip: string; userAgent: string }): Promise<ActivateResult>;
  listDevices(userId: string): Promise<PushDevice[]>;
  /** Revokes one device (refused from then on); false when there is no such live device. */
  revokeDevice(deviceId: string, by: PushActor): Promise<boolean>;
  inbox(input: InboxInput): Promise<InboxResult>;
  /** The VAPID public key browsers subscribe with; null when Web Push is off. */
  webPushKey(): Promise<string | null>;
  /** Registers, replaces or removes the device's Web Push subscription (a signed call). */
  subscribe(input: SubscriptionInput): Promise<SubscribeResult>;
  /** Sends the device a test notification (a signed call) and says how the push service answered. */
  testPush(input: TestPushInput): Promise<TestPushResult>;
  respond(input: RespondInput, client: { ip: string; userAgent: string }): Promise<RespondResult>;
  close(): Promise<void>;
}
