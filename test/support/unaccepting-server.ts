import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

/** A loopback port where a TCP connect neither succeeds nor is refused: it just hangs. */
export interface UnacceptingServer {
  readonly port: number;
  close(): Promise<void>;
}

// Runs in a worker thread: listens with a backlog of 1, reports the port, then blocks its own
// event loop until released, so nothing is ever accepted.
const listener = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData), 0, 0);
});
`;

/**
 * A backend that is down without refusing, on 127.0.0.1: its listen queue is full (a listener
 * that never accepts, with the queue filled by this helper's own connections), so the kernel
 * drops further SYNs and a connect waits until the client's connect timeout.
 */
export async function startUnacceptingServer(): Promise<UnacceptingServer> {
  const release = new SharedArrayBuffer(4);
  const worker = new Worker(listener, { eval: true, workerData: release });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: Socket[] = [];
  // The queue takes backlog + 1 connections; stop at the first that does not complete.
  for (let i = 0; i < 8; i++) {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 500);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) {
      socket.destroy();
      break;
    }
    fillers.push(socket);
  }
  if (fillers.length === 8) throw new Error('the listen queue never filled up');
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const flag = new Int32Array(release);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await worker.terminate();
    },
  };
}
