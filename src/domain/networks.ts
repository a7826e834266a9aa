/**
 * Named networks (`networks: { intranet: [10.0.0.0/8, "fd00::/8"] }`): lists of IPv4 and IPv6
 * CIDRs that rules name in `from=`. Addresses are compared as 128-bit numbers; an IPv4 address
 * is held as its IPv4-mapped IPv6 form (`::ffff:10.0.0.1`), so a dual-stack socket's
 * `::ffff:10.0.0.1` and a proxy's `10.0.0.1` are the same client.
 */

/** One CIDR, as the address it starts at and how many leading bits must match. */
interface Cidr {
  readonly base: bigint;
  readonly bits: number;
}

/** A named network, compiled. */
export interface Network {
  readonly name: string;
  /** The CIDRs as written in canonical form (`10.0.0.0/8`), for explanations. */
  readonly cidrs: readonly string[];
  contains(address: bigint): boolean;
}

/** The networks rules may name, by name. */
export type Networks = ReadonlyMap<string, Network>;

/** No networks: every `from=` rule is refused. */
export const NO_NETWORKS: Networks = new Map();

/** What a network's name may be: what rules can write after `from=` (and `!`). */
export const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const MAPPED_V4 = 0xffff00000000n;

/** An address in its 128-bit form, or null when the text is not an IPv4 or IPv6 address. */
export function parseAddress(text: string): bigint | null {
  const zone = text.indexOf('%');
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  if (bare.includes(':')) return parseIpv6(bare);
  const v4 = parseIpv4(bare);
  return v4 === null ? null : MAPPED_V4 | v4;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: `010` is octal to some parsers and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string | undefined) => (half === undefined || half === '' ? [] : half.split(':'));
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return tailV4 === null ? value : (value & ~0xffffffffn) | tailV4;
}

/** Result of {@link parseCidr}. */
export type CidrResult = { ok: true; cidr: Cidr; text: string } | { ok: false; message: string };

/**
 * Parses `10.0.0.0/8`, `fd00::/8` or a single address (a /32 or /128). Host bits set below the
 * prefix (`10.1.2.3/8`) are refused: the writer most likely meant another network.
 */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const isV6 = addressText.includes(':');
  const address = parseAddress(addressText);
  if (address === null) return { ok: false, message: `"${text}" is not an IPv4 or IPv6 address` };
  const width = isV6 ? 128 : 32;
  const lengthText = slash < 0 ? String(width) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > width)
    return { ok: false, message: `"${text}" has an invalid prefix length (0 to ${width})` };
  const length = Number(lengthText);
  const bits = isV6 ? length : 96 + length;
  const mask = maskOf(bits);
  if ((address & ~mask) !== 0n)
    return { ok: false, message: `"${text}" has host bits set beyond /${length}` };
  return { ok: true, cidr: { base: address, bits }, text: `${addressText.toLowerCase()}/${length}` };
}

function maskOf(bits: number): bigint {
  return bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
}

/** Compiles one network's CIDR list (already validated by the config schema). */
export function compileNetwork(name: string, cidrTexts: readonly string[]): Network {
  const cidrs: Cidr[] = [];
  const written: string[] = [];
  for (const text of cidrTexts) {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`networks.${name}: ${parsed.message}`);
    cidrs.push(parsed.cidr);
    written.push(parsed.text);
  }
  const masked = cidrs.map((cidr) => ({ base: cidr.base, mask: maskOf(cidr.bits) }));
  return {
    name,
    cidrs: written,
    contains: (address) => masked.some(({ base, mask }) => (address & mask) === base),
  };
}

/** Compiles the `networks` section. */
export function compileNetworks(section: Readonly<Record<string, readonly string[]>>): Networks {
  return new Map(Object.entries(section).map(([name, cidrs]) => [name, compileNetwork(name, cidrs)]));
}
