/**
 * What the signed assertion costs a request, measured on the real signer: a signature (jose,
 * ES256 through WebCrypto) awaited one at a time and many at once, against a token taken from the
 * signer's cache. Usage: npx node bench/assertion-sign.ts [iterations] (Node 22); figures in docs/benchmarks.md.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { configuredAssertionKey } from '../src/core/assertion-keys.ts';
import { AssertionSigner } from '../src/core/assertion-signer.ts';
import { FakeClock } from '../src/ports/clock.ts';

const iterations = Number(process.argv[2] ?? '20000');
const clock = new FakeClock();
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
});
const signer = await AssertionSigner.start({
  issuer: 'https://sso.example.com',
  lifetimeSeconds: 60,
  clock,
  log: pino({ level: 'silent' }),
  loadKeys: configuredAssertionKey(String(pem)),
});
const identity = (i: number) => ({
  userId: `user${i}`,
  groups: ['keiri', 'soumu'],
  proven: ['password', 'SMSOTP'],
  authenticatedAt: clock.now(),
});

async function timed(label: string, run: () => Promise<void>): Promise<void> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await run();
  const wall = Number(process.hrtime.bigint() - started) / 1000 / iterations;
  const used = process.cpuUsage(cpu);
  const cpuMicros = (used.user + used.system) / iterations;
  console.log(
    `${label.padEnd(44)} ${wall.toFixed(2).padStart(8)} µs wall  ${cpuMicros.toFixed(2).padStart(8)} µs CPU  per token`,
  );
}

for (const round of [1, 2]) {
  console.log(`round ${round}`);
  await timed('sign, one at a time (a cache miss)', async () => {
    for (let i = 0; i < iterations; i++)
      await signer.assertion(identity(i + round * iterations * 10), 'bk01');
  });
  await timed('sign, 50 at once (misses under load)', async () => {
    for (let i = 0; i < iterations; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_v, j) =>
          signer.assertion(identity(i + j + round * iterations * 20), 'bk01'),
        ),
      );
  });
  const warm = identity(-1);
  await signer.assertion(warm, 'bk01');
  await timed('cached (the hot path, no I/O)', async () => {
    for (let i = 0; i < iterations; i++)
      if (signer.cached(warm, 'bk01') === undefined) throw new Error('miss');
  });
}
signer.stop();
