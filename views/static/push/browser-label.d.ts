// Types for browser-label.js (plain JavaScript so the browser loads it unbuilt), for the
// TypeScript that shares it: the push service and the session listings.

/** "Browser on System", "Browser", "Unknown browser on System", or "Unknown browser". */
export declare function browserLabel(userAgent: string): string;
