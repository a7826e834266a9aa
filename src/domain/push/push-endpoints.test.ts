import { describe, expect, it } from 'vitest';
import {
  isAllowedEndpoint,
  parseEndpointPrefix,
  VENDOR_PUSH_SERVICES,
  type EndpointPrefix,
} from './push-endpoints.ts';

function prefixes(...entries: string[]): EndpointPrefix[] {
  return entries.map((entry) => {
    const parsed = parseEndpointPrefix(entry);
    if (!parsed.ok) throw new Error(`${entry}: ${parsed.reason}`);
    return parsed.prefix;
  });
}

describe('allowed Web Push endpoints', () => {
  const vendors = prefixes(...VENDOR_PUSH_SERVICES);

  it.each([
    ['https://fcm.googleapis.com/fcm/send/abc:def', true],
    ['https://updates.push.services.mozilla.com/wpush/v2/gAAAA', true],
    ['https://web.push.apple.com/QGu2', true],
    ['https://wns2-db5p.notify.windows.com/w/?token=x', true],
    ['https://FCM.googleapis.com/fcm/send/x', true],
    // Boundaries: another host, a longer host, a suffix without its dot, another scheme or port.
    ['https://fcm.googleapis.com.evil/fcm/send/x', false],
    ['https://evilfcm.googleapis.com/x', false],
    ['https://evil.com/https://fcm.googleapis.com/', false],
    ['https://notify.windows.com/x', false],
    ['https://x.notify.windows.com.evil/x', false],
    ['http://fcm.googleapis.com/fcm/send/x', false],
    ['https://fcm.googleapis.com:8443/fcm/send/x', false],
    ['https://user@fcm.googleapis.com/fcm/send/x', false],
    ['not a url', false],
  ])('%s → %s', (endpoint, allowed) => {
    expect(isAllowedEndpoint(endpoint, vendors)).toBe(allowed);
  });

  it('matches a path prefix at a / boundary, and http only when listed', () => {
    const test = prefixes('http://127.0.0.1:9999/push');
    expect(isAllowedEndpoint('http://127.0.0.1:9999/push/abc', test)).toBe(true);
    expect(isAllowedEndpoint('http://127.0.0.1:9999/push', test)).toBe(true);
    expect(isAllowedEndpoint('http://127.0.0.1:9999/pushx/abc', test)).toBe(false);
    expect(isAllowedEndpoint('http://127.0.0.1:9999/other/../push/abc', test)).toBe(true);
    expect(isAllowedEndpoint('http://127.0.0.1:9999/push/../other', test)).toBe(false);
  });

  it.each([
    'ftp://x/',
    'https://fcm.googleapis.com/?a=1',
    'https://a.*.example.com/',
    'https://*/',
    'https://u:p@x/',
    'nope',
  ])('refuses the entry %s', (entry) => {
    expect(parseEndpointPrefix(entry).ok).toBe(false);
  });
});
