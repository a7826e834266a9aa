import { describe, expect, it } from 'vitest';
import { mapResponseHeaders } from './response-headers.ts';

const upstream = new URL('http://backend:8080/app');
const map = (headers: Record<string, string | string[]>) =>
  mapResponseHeaders({ ...headers }, upstream, '/app', 'portal', new Set(['sekisho_sid']));

describe('mapResponseHeaders', () => {
  it.each([
    ['/app/x', '/portal/x'],
    ['/app', '/portal/'],
    ['/app?q=1', '/portal/?q=1'],
    ['http://backend:8080/app/x', '/portal/x'],
    ['/apple/x', '/portal/apple/x'],
    ['/other', '/portal/other'],
  ])('maps Location %s under the backend as %s', (location, mapped) => {
    expect(map({ location }).location).toBe(mapped);
  });

  it('leaves other origins alone, a longer port included', () => {
    expect(map({ location: 'http://backend:80801/x' }).location).toBe('http://backend:80801/x');
    expect(map({ location: '//elsewhere/x' }).location).toBe('//elsewhere/x');
  });

  it('maps cookie paths at segment boundaries and drops the gateway’s cookie names', () => {
    const mapped = map({
      'set-cookie': ['a=1; Path=/app/sub', 'b=2; Path=/apples', 'sekisho_sid=x; Path=/'],
    });
    expect(mapped['set-cookie']).toEqual(['a=1; Path=/portal/sub', 'b=2; Path=/portal/apples']);
  });
});
