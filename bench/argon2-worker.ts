/**
 * Raw argon2id verifies per second with the gateway's own hasher and parameters, in a process
 * pinned like the gateway. Usage: argon2-worker.ts <seconds> <concurrency>
 */
import { createArgon2Hasher } from '../src/adapters/argon2-hasher.ts';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 4);
const hasher = await createArgon2Hasher();
const hash = await hasher.hash('bench-password');
const end = Date.now() + seconds * 1000;
const started = Date.now();
let done = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      if (!(await hasher.verify(hash, 'bench-password'))) throw new Error('verify failed');
      done++;
    }
  }),
);
process.send?.({ perSecond: done / ((Date.now() - started) / 1000) }, () => process.exit(0));
