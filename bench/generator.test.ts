import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from './generator.ts';
import { Latencies } from './latencies.ts';

describe('Latencies', () => {
  it('gives nearest-rank percentiles of every value added, beyond its first capacity', () => {
    const latencies = new Latencies();
    for (let i = 100_000; i >= 1; i--) latencies.add(i / 100);
    expect(latencies.count).toBe(100_000);
    expect(latencies.percentile(50)).toBe(500);
    expect(latencies.percentile(99)).toBe(990);
    expect(latencies.percentile(99.9)).toBe(999);
    expect(latencies.percentile(100)).toBe(1000);
    expect(new Latencies().percentile(50)).toBeNaN();
  });
});

describe('the load generator', () => {
  let server: Server;
  let origin: string;
  const seen: string[] = [];
  /** While set, the server holds every answer until this time (ms, performance.now()). */
  let stallUntil = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers.cookie ?? '');
      const answer = () => response.writeHead(200, { 'content-length': '2' }).end('ok');
      const wait = stallUntil - performance.now();
      if (wait > 0) setTimeout(answer, wait);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('at a fixed rate keeps sending while the target stalls, and counts the stall from when each request was due', async () => {
    seen.length = 0;
    // One 300 ms stall in a 1 s run at 200 requests/s over 4 connections: a closed-loop generator
    // would send 4 requests during the stall and record 4 slow ones; due times make it ~60.
    setTimeout(() => (stallUntil = performance.now() + 300), 300);
    const result = await generate({
      origin,
      path: '/x',
      cookies: ['sid=a', 'sid=b', 'sid=c'],
      connections: 4,
      seconds: 1,
      rate: 200,
    });
    stallUntil = 0;
    expect(result.errors).toBe(0);
    expect(result.requests).toBe(200);
    // The cookies in turn (arrival order across connections varies).
    const used = (cookie: string) => seen.filter((c) => c === cookie).length;
    expect([used('sid=a'), used('sid=b'), used('sid=c')]).toEqual([67, 67, 66]);
    // About 30 % of the requests were due during the stall and count it (a closed loop would
    // have recorded 4 slow ones, 2 %): the p90 shows the stall.
    expect(result.p90).toBeGreaterThan(150);
    expect(result.max).toBeGreaterThan(250);
  });

  it('in a closed loop sends the next request of a connection when the previous one answered', async () => {
    const result = await generate({
      origin,
      path: '/x',
      cookies: ['sid=only'],
      connections: 2,
      seconds: 0.5,
      rate: null,
    });
    expect(result.errors).toBe(0);
    expect(result.requests).toBeGreaterThan(50);
    expect(result.requestsPerSecond).toBeGreaterThan(100);
  });
});
