import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { languageLinks } from './language.ts';

/** The parts of a request the switch reads. */
function request(method: string, url: string, body?: Record<string, unknown>): FastifyRequest {
  return { method, url, body } as unknown as FastifyRequest;
}

const hrefs = (req: FastifyRequest) => languageLinks(req, 'ja').map((link) => link.href);

describe('languageLinks', () => {
  it('links to this page with only lang changed, in the switch’s order, the current one marked', () => {
    const links = languageLinks(request('GET', '/_sekisho/login?next=%2Fportal%2F&lang=en'), 'en');
    expect(links).toEqual([
      { locale: 'ja', label: '日本語', href: '/_sekisho/login?next=%2Fportal%2F&lang=ja', current: false },
      { locale: 'en', label: 'English', href: '/_sekisho/login?next=%2Fportal%2F&lang=en', current: true },
    ]);
  });

  it('a form’s answer links to its path with the form’s next, when that is a same-origin path', () => {
    const failed = request('POST', '/_sekisho/login', { next: '/portal/?q=1', username: 'demo' });
    expect(hrefs(failed)).toEqual([
      '/_sekisho/login?next=%2Fportal%2F%3Fq%3D1&lang=ja',
      '/_sekisho/login?next=%2Fportal%2F%3Fq%3D1&lang=en',
    ]);
    expect(hrefs(request('POST', '/_sekisho/login', { next: 'https://evil.example/' }))[0]).toBe(
      '/_sekisho/login?next=%2F&lang=ja',
    );
    expect(hrefs(request('POST', '/_sekisho/logout', undefined))[0]).toBe('/_sekisho/logout?lang=ja');
  });

  it('never links off the gateway’s origin, whatever the request target', () => {
    for (const url of ['//evil.example/x', '/\\evil.example/', '/a/..//evil.example/']) {
      for (const href of hrefs(request('GET', url))) {
        expect(href.startsWith('/')).toBe(true);
        expect(href.startsWith('//') || href.startsWith('/\\')).toBe(false);
      }
    }
  });
});
