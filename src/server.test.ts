import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { isSekishoError } from './domain/errors.ts';
import { createLogger } from './gateway-runtime.ts';
import { ensurePortFree, listenError, serveGateway } from './server.ts';
import { dropSchema, testConfig } from '../test/support/gateway.ts';
import { dropRedisPrefix } from '../test/support/redis.ts';

function listenOn(host: string, port: number): Config {
  const result = loadConfig({ env: {}, overrides: { listen: { host, port } } });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

describe('why the gateway cannot listen', () => {
  it('a taken port: one line naming the address and the way out', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const failure = await ensurePortFree(listenOn('127.0.0.1', port)).then(
        () => null,
        (error: unknown) => error,
      );
      expect(isSekishoError(failure, 'SEKISHO_ERR_CONFIG')).toBe(true);
      expect((failure as Error).message).toBe(
        `listen: 127.0.0.1:${port} is already in use (another Sekisho, or another program, listens there): stop it, or choose another port with PORT=… or listen.port (PORT=0 takes any free port)`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('an address this machine does not have (TEST-NET-1): says to set listen.host', async () => {
    const failure = await ensurePortFree(listenOn('192.0.2.1', 8080)).then(
      () => null,
      (error: unknown) => error,
    );
    expect((failure as Error).message).toBe(
      'listen: 192.0.2.1:8080: 192.0.2.1 is not an address of this machine: set listen.host to one of its addresses, or 0.0.0.0',
    );
  });

  it('a privileged port, with brackets for an IPv6 host; anything else passes through as it came', () => {
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect((listenError(listenOn('::1', 80), denied) as Error).message).toBe(
      'listen: [::1]:80: permission denied (ports below 1024 need privileges): choose a port above 1023 with PORT=… or listen.port',
    );
    const other = Object.assign(new Error('something else'), { code: 'EMFILE' });
    expect(listenError(listenOn('127.0.0.1', 8080), other)).toBe(other);
  });

  it('a free port: the probe lets go of it again', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(ensurePortFree(listenOn('127.0.0.1', port))).resolves.toBeUndefined();
    const after = createServer();
    await new Promise<void>((resolve) => after.listen(port, '127.0.0.1', resolve));
    expect((after.address() as AddressInfo).port).toBe(port);
    await new Promise((resolve) => after.close(resolve));
  });
});

describe('the stop signals', () => {
  const listeners = () => ({
    SIGTERM: process.listenerCount('SIGTERM'),
    SIGINT: process.listenerCount('SIGINT'),
  });

  it('are listened for while the gateway serves, and no longer once it is closed: two starts and stops leave none behind', async () => {
    const config = testConfig({});
    const log = createLogger(config, { write: () => undefined });
    const before = listeners();
    try {
      for (let round = 0; round < 2; round++) {
        const runtime = await serveGateway(config, { log, processMetrics: false });
        expect(listeners()).toEqual({ SIGTERM: before.SIGTERM + 1, SIGINT: before.SIGINT + 1 });
        await runtime.close();
        expect(listeners()).toEqual(before);
      }
    } finally {
      await dropSchema(config.database.schema);
      await dropRedisPrefix(config.redis.keyPrefix);
    }
  });

  it('one that comes while the caller closes the gateway waits for that same close, then exits 0 (the database pool is not ended twice)', async () => {
    const config = testConfig({});
    const lines: string[] = [];
    const log = createLogger(config, { write: (line: string) => void lines.push(line) });
    // The process must outlive the test: its exit is recorded instead.
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as () => never);
    try {
      const runtime = await serveGateway(config, { log, processMetrics: false });
      const closed = runtime.close();
      process.emit('SIGINT', 'SIGINT');
      await closed;
      await vi.waitFor(() => expect(exit).toHaveBeenCalled());
      expect(exit.mock.calls).toEqual([[0]]);
      expect(lines.join('')).not.toMatch(/closing failed/);
    } finally {
      exit.mockRestore();
      await dropSchema(config.database.schema);
      await dropRedisPrefix(config.redis.keyPrefix);
    }
  });
});
