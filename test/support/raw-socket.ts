import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A plain socket to a server for requests rawRequest cannot send: written piece by piece, cut off,
 * half-closed, or several pipelined on one connection. Everything received is parsed into the
 * responses it holds once the server closes the connection.
 */

/** One response as read off the wire. */
export interface WireResponse {
  readonly status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** How long a server may keep a connection open that it should have closed. */
const closeTimeoutMs = 5000;

/** Opens a socket to `url`; `received` resolves with the responses once the server closes it. */
export function openSocket(url: string): { socket: Socket; received: Promise<WireResponse[]> } {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset after the test destroyed the socket, or from a server going away, is an outcome, not an error.
  socket.on('error', () => {});
  const received = new Promise<WireResponse[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${closeTimeoutMs} ms`));
    }, closeTimeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponses(Buffer.concat(chunks)));
    });
  });
  return { socket, received };
}

/** Writes and resolves once the data is handed to the operating system. */
export function write(socket: Socket, data: string): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

/** A request line and header lines, without the blank line that ends them. */
export function requestHead(
  method: string,
  path: string,
  host: string,
  headers: readonly (readonly [string, string])[],
): string {
  return [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...headers.map(([n, v]) => `${n}: ${v}`)].join(
    '\r\n',
  );
}

/** `body` in three chunks and the last, empty one (Transfer-Encoding: chunked). */
export function chunked(body: string): string[] {
  const third = Math.ceil(body.length / 3);
  const parts = [body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)].filter((p) => p);
  return [...parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`), '0\r\n\r\n'];
}

/** Every response in `data`, in order (the last one as far as it came, if the data ends within it). */
export function parseResponses(data: Buffer): WireResponse[] {
  return readResponses(data).responses;
}

/** The responses in `data`, and whether the last one is whole (its body as long as it said). */
function readResponses(data: Buffer): { responses: WireResponse[]; lastComplete: boolean } {
  const responses: WireResponse[] = [];
  let at = 0;
  let lastComplete = false;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return { responses, lastComplete: lastComplete && at === data.length };
    const [statusLine = '', ...lines] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = /chunked/i.test(headers['transfer-encoding'] ?? '')
      ? readChunked(data, headEnd + 4)
      : readLength(data, headEnd + 4, headers['content-length']);
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: body.data.toString('utf8') });
    at = Math.min(body.end, data.length);
    lastComplete = body.complete;
  }
}

/** A body of Content-Length bytes; without one it runs to the close, so it is never known whole. */
function readLength(data: Buffer, start: number, length: string | undefined) {
  const end = length === undefined ? data.length : start + Number(length);
  return { data: data.subarray(start, end), end, complete: length !== undefined && end <= data.length };
}

function readChunked(data: Buffer, start: number) {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return { data: Buffer.concat(parts), end: data.length, complete: false };
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    at = lineEnd + 2;
    // The last chunk is followed by (no trailers and) the blank line.
    if (!(size > 0)) return { data: Buffer.concat(parts), end: at + 2, complete: at + 2 <= data.length };
    parts.push(data.subarray(at, at + size));
    at += size + 2;
  }
}

/**
 * One kept-alive HTTP/1.1 connection for requests that must reach the server at a chosen moment:
 * `ask` writes the request's bytes at once, synchronously, and resolves with the complete
 * response that follows, the connection staying open for the next.
 */
export class KeepAliveConnection {
  private readonly socket: Socket;
  private received: Buffer[] = [];
  private waiting: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      this.waiting?.();
    });
  }

  static async open(url: string): Promise<KeepAliveConnection> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    await once(socket, 'connect');
    return new KeepAliveConnection(socket);
  }

  /** Writes `request` now; resolves with the one whole response to it. */
  ask(request: string): Promise<WireResponse> {
    this.received = [];
    this.socket.write(request);
    return new Promise((resolve, reject) => {
      this.waiting = () => {
        const { responses, lastComplete } = readResponses(Buffer.concat(this.received));
        if (!lastComplete) return;
        this.waiting = null;
        const [response] = responses;
        if (response && responses.length === 1) resolve(response);
        else reject(new Error(`expected one response, received ${responses.length}`));
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
