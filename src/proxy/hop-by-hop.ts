/**
 * Connection-level headers (RFC 9110 §7.6.1, plus the obsolete Proxy-Connection): they describe
 * one hop, so the gateway relays none of them in either direction. Body framing
 * (Transfer-Encoding) is redone by whoever sends the body on.
 */
export const hopByHopHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The header names a `Connection` header lists, lower-cased: connection-level for this hop too. */
export function connectionListed(value: string | string[] | undefined): ReadonlySet<string> | null {
  if (typeof value !== 'string') return null;
  // The usual values name only hop-by-hop headers already dropped: no set to build.
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return null;
  const names = new Set<string>();
  for (const name of value.split(',')) names.add(name.trim().toLowerCase());
  return names;
}
