import { z } from 'zod';
import { NETWORK_NAME, parseCidr } from '../domain/networks.ts';

/** One CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address; the error names what is wrong with it. */
const cidr = z.string({ error: 'must be a CIDR such as 10.0.0.0/8 or fd00::/8' }).superRefine((text, ctx) => {
  const parsed = parseCidr(text.trim());
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

const networkName = z.string().regex(NETWORK_NAME, {
  error: 'network names are letters, digits, "-" and "_" (at most 63, starting with a letter or digit)',
});

/**
 * `networks`: named lists of IPv4 and IPv6 CIDRs that rules name in `from=<network>`
 * (`networks: { intranet: [10.0.0.0/8, "fd00::/8"] }`). The order of the names is the order in
 * which several matching `from=` rules of one prefix are tried.
 */
export const networksSchema = z.record(
  networkName,
  z.array(cidr).min(1, { error: 'must list at least one CIDR' }),
);
