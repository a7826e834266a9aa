// Types for protocol.js (plain JavaScript so the browser loads it unbuilt), for the TypeScript
// that shares it: the virtual authenticator (`sekisho device`), the push service and tests.

export declare const PROTOCOL: 'sekisho-push/1';
export declare const PATTERNS: Readonly<
  Record<'code' | 'challenge' | 'deviceId' | 'transactionId' | 'number' | 'time' | 'decision', RegExp>
>;

export declare function activatePayload(code: string): string;
export declare function inboxPayload(deviceId: string, time: number | string): string;
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
