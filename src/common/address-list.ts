import ipaddr from 'ipaddr.js';

/** The names proxy-addr (Fastify's trustProxy) understands besides addresses and ranges. */
const RANGE_NAMES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** The entries of a setting that lists addresses: separated by commas or spaces. */
export const addressEntries = (setting: string | undefined): string[] => (setting ?? '').split(/[\s,]+/).filter(Boolean);

/** Is `entry` an address (1.2.3.4, ::1), a range (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, uniquelocal? */
export function isAddressEntry(entry: string): boolean {
  // Four-part IPv4 only: ipaddr.js also reads `3` or `0x7f.1` as addresses, which no one means in a setting.
  return entry in RANGE_NAMES || ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry) || ipaddr.IPv6.isValidCIDR(entry);
}

/** IPv4-mapped IPv6 (::ffff:10.0.0.1, how a dual-stack socket reports IPv4 callers) as the IPv4 address it carries. */
function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  return ipaddr.process(address);
}

/** A set of addresses and ranges from a setting, asked whether a caller's address lies in it. */
export class AddressList {
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(setting: string | undefined) {
    this.ranges = addressEntries(setting)
      .flatMap((e) => RANGE_NAMES[e] ?? [e])
      .map((e) => {
        if (ipaddr.isValidCIDR(e)) {
          const [addr, bits] = ipaddr.parseCIDR(e);
          // ::ffff:10.0.0.0/104 and the like: compared as the IPv4 range they mean.
          if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
          return [addr, bits];
        }
        const addr = ipaddr.process(e);
        return [addr, addr.kind() === 'ipv4' ? 32 : 128];
      });
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  has(address: string | undefined): boolean {
    const addr = address ? parse(address) : undefined;
    if (!addr) return false;
    return this.ranges.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range, bits));
  }
}

/**
 * The key a caller's address is counted under: IPv4 as is (also when a dual-stack socket reports it IPv4-mapped), IPv6
 * by its /64, the block one subscriber usually holds whole, so hopping between its addresses gains nothing.
 */
export function addressKey(address: string): string {
  const addr = parse(address);
  if (!addr) return address;
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}
