// Types for protocol.js (plain JavaScript so the browser loads it unbuilt), for the TypeScript
// that shares it: the virtual authenticator (`sekisho device`), the push service and tests.

export declare const PROTOCOL: 'sekisho-push/1';
export declare const PATTERNS: Readonly<
  Record<
    | 'code'
    | 'challenge'
    | 'deviceId'
    | 'transactionId'
    | 'number'
    | 'time'
    | 'nonce'
    | 'decision'
    | 'endpoint'
    | 'p256dh'
    | 'auth',
    RegExp
  >
>;

export declare function activatePayload(code: string): string;
/** With a nonce (every current client), each call is a statement of its own; see docs/push.md §1. */
export declare function inboxPayload(deviceId: string, time: number | string, nonce?: string): string;
/** The Web Push subscription call: `subscribe` with a subscription, `unsubscribe` with null. */
export declare function subscribePayload(
  deviceId: string,
  time: number | string,
  nonce: string,
  subscription: { endpoint: string; p256dh: string; auth: string } | null,
): string;
/** The "send me a test notification" call. */
export declare function testPushPayload(deviceId: string, time: number | string, nonce: string): string;
/** 16 random bytes, base64url: a fresh one for every inbox call. */
export declare function newNonce(): string;
export declare function respondPayload(r: {
  deviceId: string;
  transactionId: string;
  challenge: string;
  decision: string;
  number?: string | number | null;
}): string;
export declare function toBase64url(bytes: ArrayBuffer | Uint8Array): string;
export declare function generateDeviceKey(extractable?: boolean): Promise<CryptoKeyPair>;
export declare function publicJwk(
  publicKey: CryptoKey,
): Promise<{ kty: 'EC'; crv: 'P-256'; x: string; y: string }>;
export declare function sign(privateKey: CryptoKey, payload: string): Promise<string>;
