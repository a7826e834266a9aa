import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxyConfig } from '../config/schema.ts';

type TrustFunction = (address: string, hop: number) => boolean;

/** What the forwarding headers need of the client, read the way Fastify reads it. */
export interface ClientAddress {
  ip(request: IncomingMessage): string;
  protocol(request: IncomingMessage): string;
  /** Whether the socket's peer is a trusted proxy, whose forwarding headers may be kept. */
  peerTrusted(request: { readonly socket: { readonly remoteAddress?: string } }): boolean;
}

/**
 * The client's address and protocol for a raw request, with the same `trustProxy` semantics
 * as Fastify's `request.ip` / `request.protocol` (a hop count trusts that many proxies, as
 * app.ts configures Fastify), so the lean proxy path forwards exactly what the Fastify path would.
 */
export function clientAddress(trustProxy: TrustProxyConfig): ClientAddress {
  const trust = trustFunction(trustProxy);
  if (!trust) {
    return {
      ip: (request) => request.socket.remoteAddress ?? '',
      protocol: (request) => (isEncrypted(request) ? 'https' : 'http'),
      peerTrusted: () => false,
    };
  }
  return {
    ip: (request) => {
      const addresses = proxyAddr.all(request, trust);
      return addresses[addresses.length - 1] ?? '';
    },
    protocol: (request) => {
      const forwarded = request.headers['x-forwarded-proto'];
      if (typeof forwarded === 'string' && forwarded && trust(request.socket.remoteAddress ?? '', 0)) {
        return lastEntry(forwarded);
      }
      return isEncrypted(request) ? 'https' : 'http';
    },
    peerTrusted: (request) => trust(request.socket.remoteAddress ?? '', 0),
  };
}

function trustFunction(value: TrustProxyConfig): TrustFunction | null {
  if (value === false) return null;
  if (value === true) return () => true;
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return proxyAddr.compile([...value]);
}

function lastEntry(header: string): string {
  const comma = header.lastIndexOf(',');
  return comma === -1 ? header.trim() : header.slice(comma + 1).trim();
}

function isEncrypted(request: IncomingMessage): boolean {
  return (request.socket as { encrypted?: boolean }).encrypted === true;
}
