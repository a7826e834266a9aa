import { connect } from 'node:net';

/** One response as read off the wire. */
export interface RawResponse {
  readonly status: number;
  /** Header lines as sent, in order (name as written, value trimmed). */
  readonly rawHeaders: readonly (readonly [string, string])[];
  /** Lower-cased header names; repeated headers keep every value. */
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
}

/**
 * Sends one HTTP/1.1 request over a plain socket, exactly as written: the path is not
 * normalised, header names are not validated and may repeat. `headers` is a list of
 * `[name, value]` pairs or whole header lines (for malformed ones).
 */
export async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: readonly (readonly [string, string] | string)[] = [],
  body = '',
): Promise<RawResponse> {
  const { hostname, port, host } = new URL(baseUrl);
  // A Host given in `headers` replaces the default one.
  const ownHost = headers.some((h) => typeof h !== 'string' && h[0].toLowerCase() === 'host');
  const lines = [`${method} ${path} HTTP/1.1`, ...(ownHost ? [] : [`Host: ${host}`])];
  for (const header of headers)
    lines.push(typeof header === 'string' ? header : `${header[0]}: ${header[1]}`);
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  lines.push('Connection: close');
  const wire = `${lines.join('\r\n')}\r\n\r\n${body}`;
  const data = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('connect', () => socket.write(wire, 'latin1'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  return parseResponse(data);
}

function parseResponse(data: Buffer): RawResponse {
  const text = data.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`incomplete HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`bad status line: ${statusLine}`);
  const rawHeaders: [string, string][] = [];
  const headers: Record<string, string[]> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    (headers[name.toLowerCase()] ??= []).push(value);
  }
  const rest = data.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1'));
  const chunked = headers['transfer-encoding']?.some((v) => /chunked/i.test(v)) ?? false;
  return { status, rawHeaders, headers, body: (chunked ? dechunk(rest) : rest).toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
