import { Readable } from 'node:stream';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { isTimeout, parseJson, readLimited } from './http.ts';

const bodyOf = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('plugins/shared/http', () => {
  it('reads an answer up to the limit, and gives up (destroying the body) past it', async () => {
    expect(await readLimited(bodyOf('{"a":', '1}'), 7)).toBe('{"a":1}');
    const large = bodyOf('12345', '67890');
    expect(await readLimited(large, 7)).toBeNull();
    expect(large.destroyed).toBe(true);
  });

  it('parses JSON leniently: undefined for no text or not JSON', () => {
    expect(parseJson('{"status":"0000"}')).toEqual({ status: '0000' });
    expect(parseJson('null')).toBeNull();
    expect(parseJson('<html>')).toBeUndefined();
    expect(parseJson(null)).toBeUndefined();
  });

  it('tells timeouts (ours and undici’s) from other failures', () => {
    expect(isTimeout(new DOMException('late', 'TimeoutError'))).toBe(true);
    expect(isTimeout(new errors.HeadersTimeoutError())).toBe(true);
    expect(isTimeout(new errors.BodyTimeoutError())).toBe(true);
    expect(isTimeout(new errors.ConnectTimeoutError())).toBe(true);
    expect(isTimeout(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isTimeout(undefined)).toBe(false);
  });
});
