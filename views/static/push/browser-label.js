// A short, human label for a user agent ("Chrome on Windows"). Plain JavaScript so the browser
// loads it unbuilt: the authenticator page names a new device with it, and the gateway labels
// logins (shown on the phone, half of the "known environment" pair) and sessions with the same
// code. Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iOS browsers
// all say "Safari" and name themselves with a `*iOS` token.

/** @type {readonly (readonly [RegExp, string])[]} */
const BROWSERS = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/(\b|Headless)(Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bAppleWebKit\/.*\bMobile\/\w+/, 'Safari'],
  [/\bcurl\//, 'curl'],
  [/\bundici\b|\bnode\b/i, 'Node.js'],
];

/** @type {readonly (readonly [RegExp, string])[]} */
const SYSTEMS = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

/**
 * "Browser on System", "Browser", "Unknown browser on System", or "Unknown browser".
 * @param {string} userAgent
 * @returns {string}
 */
export function browserLabel(userAgent) {
  const browser = firstMatch(BROWSERS, userAgent);
  const system = firstMatch(SYSTEMS, userAgent);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `Unknown browser on ${system}`;
  return 'Unknown browser';
}

/**
 * @param {readonly (readonly [RegExp, string])[]} table
 * @param {string} userAgent
 * @returns {string | null}
 */
function firstMatch(table, userAgent) {
  for (const [pattern, name] of table) if (pattern.test(userAgent)) return name;
  return null;
}
